/**
 * The results gateway's public surface: what its own main and the all-in-one process start.
 *
 * Recording and fan-out across instances:
 * - Recording: every instance joins ONE consumer group (`results-gateway-recorder`) on the
 *   campaign-results topic. Kafka gives each partition, hence each campaign, to one member at a
 *   time, which stores its results idempotently (see result-recorder.ts).
 * - Fan-out: the recording instance hands what it stored to its own watchers at once, and
 *   produces it to campaign-results-recorded, which every instance reads in a group of its own
 *   (`results-gateway-live-<instance id>`) to feed its watchers. Watchers follow the recorder's
 *   seq numbers, so overlaps are dropped and gaps are read from the store.
 */
import type { Server } from 'node:http';
import { Authenticator } from '../../shared/auth/authenticator';
import type { SocketGuards } from '../../shared/auth/socket-guards';
import { readStoreResults, type CampaignResultsStore } from '../../shared/campaigns/campaign-results-store';
import { CAMPAIGN_RESULTS_TOPIC } from '../../shared/campaigns/campaign-results-topic';
import type { GatewayConfig } from '../../shared/config/config';
import type { Logger } from '../../shared/observability/logger';
import type { Metrics } from '../../shared/observability/metrics';
import type { Consumer, ResultsBus } from '../../shared/ports/results-bus';
import type { ReadModels } from '../../shared/read-models/read-models';
import { CampaignHub } from './campaign-hub';
import { readModelCampaigns, type CampaignLookup } from './campaign-lookup';
import { RECORDED_RESULTS_TOPIC } from './recorded-results-topic';
import { startRecordedResultsRelay } from './recorded-results-relay';
import { startResultRecorder } from './result-recorder';
import { mountSocketIoTransport } from './transports/socketio-transport';
import { mountSockJsTransport } from './transports/sockjs-transport';
import { mountWebSocketTransport } from './transports/websocket-transport';
import { WatcherSession, type WatcherAuthenticator } from './watcher-session';

export type { CampaignLookup } from './campaign-lookup';
export type { WatcherAuthenticator } from './watcher-session';
export { OVERFLOW_CLOSE_CODE, OVERFLOW_CLOSE_REASON } from './campaign-watcher';
export { WEBSOCKET_PATH } from './transports/websocket-transport';
export { SOCKJS_PREFIX } from './transports/sockjs-transport';
export { SOCKETIO_NAMESPACE } from './transports/socketio-transport';

export interface ResultsGatewayOptions {
  gatewayConfig: GatewayConfig;
  /** Where campaigns, sessions and users are read, and (through its store) results are recorded. */
  readModels: ReadModels;
  resultsBus: ResultsBus;
  logger: Logger;
  metrics: Metrics;
  /** The watcher transports are mounted on this server (which may also serve other routes). */
  server: Server;
  /** Defaults on readModels: campaigns through ReadModels, results in the read store, sessions. */
  campaigns?: CampaignLookup;
  resultsStore?: CampaignResultsStore;
  authenticator?: WatcherAuthenticator;
  /** The process's socket bounds (shared with its other socket endpoints): pending cap, deadline, revocation, origins. */
  guards: SocketGuards;
  /** false: only watch (no recorder in this process). Default true. */
  record?: boolean;
}

export interface ResultsGateway {
  close(): Promise<void>;
}

export async function startResultsGateway(options: ResultsGatewayOptions): Promise<ResultsGateway> {
  const { gatewayConfig: config, resultsBus: bus, logger, metrics } = options;
  const campaigns = options.campaigns ?? readModelCampaigns(options.readModels);
  const store = options.resultsStore ?? readStoreResults(options.readModels.store);
  const authenticator = options.authenticator ?? new Authenticator(options.readModels);
  const hub = new CampaignHub({
    campaigns,
    store,
    maxWatcherBufferBytes: config.maxWatcherBufferBytes,
    watcherStallMs: config.watcherStallMs,
    campaignPollMs: config.campaignPollMs,
    logger,
    metrics,
  });
  const publish = (results: Parameters<CampaignHub['publish']>[0]) => hub.publish(results);

  await bus.ensureTopics([CAMPAIGN_RESULTS_TOPIC, RECORDED_RESULTS_TOPIC], config.topicPartitions);
  const consumers: Consumer[] = [];
  const stopConsumers = () => Promise.allSettled(consumers.map((consumer) => consumer.stop()));
  try {
    consumers.push(await startRecordedResultsRelay({ bus, instanceId: config.instanceId, onRecorded: publish, logger }));
    if (options.record !== false) {
      consumers.push(await startResultRecorder({ bus, campaigns, store, config, onRecorded: publish, logger, metrics }));
    }
  } catch (error) {
    await stopConsumers();
    throw error;
  }

  const sessionDeps = {
    authenticator,
    guards: options.guards,
    campaigns,
    hub,
    onFailure: (error: unknown) => logger.error({ err: error }, 'handling a watcher message failed'),
  };
  const startSession = (connection: ConstructorParameters<typeof WatcherSession>[0]) => new WatcherSession(connection, sessionDeps);
  // Order matters: the raw WebSocket's exact path is routed before SockJS's prefix, which contains it.
  const { originAllowed } = options.guards;
  const transports = [
    mountWebSocketTransport(options.server, startSession, originAllowed),
    mountSockJsTransport(options.server, startSession, { bodyLimitBytes: config.sockJsBodyLimitBytes, originAllowed }),
    mountSocketIoTransport(options.server, startSession, authenticator, originAllowed),
  ];
  logger.info({ instanceId: config.instanceId }, 'results gateway started');

  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= (async () => {
        await stopConsumers();
        hub.close();
        for (const transport of transports.reverse()) transport.close();
      })();
      return closing;
    },
  };
}
