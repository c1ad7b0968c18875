/** The agent API's public surface: what its main and the all-in-one process start. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { tokenHash } from '../../shared/auth/tokens';
import type { Config } from '../../shared/config/config';
import { AggregateLoader } from '../../shared/eventsourcing/aggregate-loader';
import type { Logger } from '../../shared/observability/logger';
import type { Metrics } from '../../shared/observability/metrics';
import type { EventStore } from '../../shared/ports/event-store';
import type { ReadStore } from '../../shared/ports/read-store';
import type { ResultsBus } from '../../shared/ports/results-bus';
import { createAgentHttpHandler } from './agent-http';
import { AgentService } from './agent-service';
import type { AgentView, HostRecord } from './agent-view';
import { checkInIntervalFor } from './osquery-config';
import { PresenceTracker } from './presence';
import { openHostLogDestinations } from './host-logs/host-log-destinations';
import { registerAgentMetrics } from './agent-metrics';
import type { StorageHealth } from '../../shared/adapters/storage/storage-health';
import { AnsweredSync } from './answered-sync';
import { readStoreResults } from '../../shared/campaigns/campaign-results-store';
import { ViewSnapshotStore } from './view-snapshot-store';
import { restoreView, ViewSnapshotter } from './view-snapshots';
import { startupPhase } from '../../shared/observability/startup-phases';

/** The latest a start from a snapshot merges the stored host presence, if its main did not ask sooner. */
const PRESENCE_MERGE_LATEST_MS = 5_000;

export interface AgentApiOptions {
  config: Config;
  eventStore: EventStore;
  readStore: ReadStore;
  resultsBus: ResultsBus;
  logger: Logger;
  metrics: Metrics;
  /** The embedded stores' health: a log file the disk refuses reports there too. */
  storageHealth?: StorageHealth;
}

export interface HostSummary {
  id: number;
  hostname: string;
  display_name: string;
}

function summary(host: HostRecord | undefined): HostSummary | null {
  if (!host || host.state.id === null) return null;
  const hostname = host.state.facts.hostname ?? host.state.hostIdentifier ?? '';
  return { id: host.state.id, hostname, display_name: host.state.facts.computer_name || hostname };
}

export interface AgentApi {
  /** Serves osquery API paths and answers true; answers false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  view: AgentView;
  /** Enrolled hosts by node key or id, as other services of the same process need them. */
  hosts: {
    byNodeKey(nodeKey: string): HostSummary | null;
    byId(id: number): HostSummary | null;
  };
  /** Null while healthy, else what is wrong (for /healthz). */
  problem(): string | null;
  /** Merges the stored host presence into a view restored from a snapshot (once; see startAgentApi). */
  mergeStoredPresence(): Promise<void>;
  close(): Promise<void>;
}

export async function startAgentApi(options: AgentApiOptions): Promise<AgentApi> {
  const { config, logger } = options;
  const snapshots = config.agentSnapshotIntervalSeconds > 0 ? new ViewSnapshotStore(join(config.dataDir, 'agent-view')) : null;
  const { view, live, snapshotPosition } = await restoreView(snapshots, options.eventStore, options.resultsBus, logger);
  startupPhase('agent view restored');
  let failure: Error | null = null;
  await view.follow(options.eventStore, (error) => {
    failure = error;
    logger.error({ err: error }, 'agent API stopped following the event log');
  });
  startupPhase('agent view caught up with the log');
  // Hosts that answered (recorded by the gateway, from any instance) are not asked again.
  const answered = new AnsweredSync(live, readStoreResults(options.readStore), (error) => logger.warn({ err: error }, 'could not read recorded campaign results; will retry'));
  await answered.syncOnce();
  answered.start();
  startupPhase('answered results synced');
  const snapshotter = snapshots && new ViewSnapshotter(snapshots, view, live, logger, config.agentSnapshotIntervalSeconds * 1000);
  snapshotter?.start();
  const presence = new PresenceTracker(
    options.readStore,
    (error) => logger.warn({ err: error }, 'could not store host presence; will retry'),
    (host) => checkInIntervalFor(view, host),
  );
  // From a snapshot, hosts already have presence times (as of the snapshot): the stored, newer
  // ones are merged in while hosts check in, once the process serves (the main calls
  // mergeStoredPresence at its first healthy answer; at the latest PRESENCE_MERGE_LATEST_MS
  // after this): reading every host's presence is the largest step of a start after the
  // snapshot (one step of the event loop: about 0.4 s of CPU at 100,000 hosts), and nothing
  // else waits for it. From the log's start hosts have none, so a host
  // checking in before the merge would be asked everything again: then the start waits for it.
  let merging: Promise<void> | null = null;
  const mergeStoredPresence = () =>
    (merging ??= presence.restore(view).then(
      () => {
        startupPhase('host presence merged');
        logger.info({ hosts: view.hostCount }, 'stored host presence merged');
      },
      (error: Error) => logger.warn({ err: error }, 'could not restore host presence'),
    ));
  if (snapshotPosition === null) await mergeStoredPresence();
  const latestMerge = snapshotPosition === null ? null : setTimeout(() => void mergeStoredPresence(), PRESENCE_MERGE_LATEST_MS).unref();
  presence.start();
  startupPhase('presence set up');
  const hostLogs = await openHostLogDestinations(config.hostLogs, { bus: options.resultsBus, storageHealth: options.storageHealth });
  const agent = new AgentService({
    hostLogs,
    store: options.eventStore,
    loader: new AggregateLoader(options.eventStore),
    view,
    presence,
    bus: options.resultsBus,
    live,
    intervals: {
      detailsMs: config.hostDetailIntervalSeconds * 1000,
      labelsMs: config.hostLabelIntervalSeconds * 1000,
      policiesMs: config.hostPolicyIntervalSeconds * 1000,
    },
  });
  registerAgentMetrics(options.metrics, view, live, (host) => checkInIntervalFor(view, host), agent.catchUps);
  const handle = createAgentHttpHandler(agent, {
    bodyLimitBytes: config.agentBodyLimitBytes,
    metrics: options.metrics,
    onError: (error) => logger.error({ err: error }, 'osquery API request failed'),
  });
  logger.info({ hosts: view.hostCount, snapshotPosition, tailEvents: view.eventsFollowed, resultLog: config.hostLogs.result, statusLog: config.hostLogs.status }, 'agent API ready');
  return {
    handle,
    view,
    hosts: {
      byNodeKey: (nodeKey) => summary(view.hostByNodeKeyHash(tokenHash(nodeKey))),
      byId: (id) => summary(view.hostById(id)),
    },
    problem: () => (failure ? `agent API: ${(failure as Error).message}` : null),
    mergeStoredPresence,
    async close() {
      if (latestMerge) clearTimeout(latestMerge);
      await merging;
      await answered.stop();
      await presence.stop();
      await view.close();
      await hostLogs.close();
      await snapshotter?.stop();
    },
  };
}
