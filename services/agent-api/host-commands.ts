/**
 * The host's commands as the agent API runs them: decide against the in-memory view's state of
 * the host, append with the stream's expected revision, and apply the appended events to the
 * view at once. A conflict means another instance wrote first: wait until the view has seen the
 * log's head, decide again.
 */
import { randomBytes } from 'node:crypto';
import { tokenHash } from '../../shared/auth/tokens';
import { decideEnrollHost, decideRecordHostReport, initialHostState, type RecordHostReport } from '../../shared/domain/hosts/host-decider';
import { hostStreamId, type HostEvent, type HostFacts } from '../../shared/domain/hosts/host-events';
import { decideReserveIds, idSequenceStreamId } from '../../shared/domain/sequences/id-sequence';
import type { AggregateLoader } from '../../shared/eventsourcing/aggregate-loader';
import { idSequenceAggregate } from '../../shared/eventsourcing/id-sequence-aggregate';
import { commandContext, toNewEvents } from '../../shared/eventsourcing/metadata';
import { retryOnConflict } from '../../shared/eventsourcing/retry-on-conflict';
import type { Actor, EventStore, StreamWrite } from '../../shared/ports/event-store';
import type { AgentView, HostRecord } from './agent-view';

const CATCH_UP_TIMEOUT_MS = 2_000;

export interface HostCommandDeps {
  store: EventStore;
  loader: AggregateLoader;
  view: AgentView;
}

function hostActor(hostIdentifier: string, hostname: string | undefined): Actor {
  return { type: 'host', id: hostIdentifier, name: hostname ?? hostIdentifier };
}

async function appendAndApply(deps: HostCommandDeps, writes: StreamWrite[]): Promise<void> {
  const result = await deps.store.append(writes);
  writes.forEach((write, index) => {
    const last = result.revisions[index];
    write.events.forEach((event, offset) => {
      deps.view.apply({
        id: event.id ?? '',
        streamId: write.streamId,
        revision: last - write.events.length + 1 + offset,
        position: result.position,
        type: event.type,
        data: event.data,
        metadata: event.metadata,
      });
    });
  });
}

async function catchUpWithLog(deps: HostCommandDeps): Promise<void> {
  await deps.view.catchUpWith(deps.store, CATCH_UP_TIMEOUT_MS);
}

/** Retries on conflict after catching up with the log (where the other writer's events are). */
async function withCatchUpRetry<T>(deps: HostCommandDeps, attempt: () => Promise<T>): Promise<T> {
  let first = true;
  return retryOnConflict(async () => {
    if (!first) await catchUpWithLog(deps);
    first = false;
    return attempt();
  });
}

export interface EnrollRequest {
  hostIdentifier: string;
  teamId: number | null;
  facts: Partial<HostFacts>;
}

/**
 * Enrollments in this process run one at a time: each new host reserves an id in the one host
 * sequence stream, which concurrent appends would only fight over.
 */
export class Enroller {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: HostCommandDeps) {}

  /** Enrolls (or re-enrolls) the host and answers its new node key. */
  enroll(request: EnrollRequest): Promise<{ nodeKey: string; host: HostRecord }> {
    const run = this.queue.then(() => this.enrollNow(request));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async enrollNow(request: EnrollRequest): Promise<{ nodeKey: string; host: HostRecord }> {
    const nodeKey = randomBytes(24).toString('base64url');
    const nodeKeyHash = tokenHash(nodeKey);
    const streamId = hostStreamId(request.hostIdentifier);
    const context = commandContext(hostActor(request.hostIdentifier, request.facts.hostname));
    await withCatchUpRetry(this.deps, async () => {
      const known = this.deps.view.hostByStream(streamId);
      if (!known) await catchUpWithLog(this.deps);
      const host = this.deps.view.hostByStream(streamId);
      const writes: StreamWrite[] = [];
      let newId: number | null = null;
      if (!host) {
        const sequence = await this.deps.loader.load(idSequenceStreamId('host'), idSequenceAggregate);
        const [reserved] = decideReserveIds([request.hostIdentifier], sequence.state);
        newId = reserved.id;
        writes.push({ streamId: idSequenceStreamId('host'), expected: sequence.expected, events: toNewEvents(context, [{ type: 'IdReserved', data: reserved }]) });
      }
      const events = decideEnrollHost(
        { hostIdentifier: request.hostIdentifier, nodeKeyHash, teamId: request.teamId, facts: request.facts, newId: () => newId as number },
        host?.state ?? initialHostState,
      );
      writes.push({ streamId, expected: host ? host.revision : 'no_stream', events: toNewEvents(context, events) });
      await appendAndApply(this.deps, writes);
    });
    const host = this.deps.view.hostByStream(streamId);
    if (!host) throw new Error(`host ${request.hostIdentifier} enrolled but missing from the view`);
    return { nodeKey, host };
  }
}

/** Records what a host reported (facts, label and policy results): events only for changes. */
export function recordHostReport(deps: HostCommandDeps, host: HostRecord, report: RecordHostReport): Promise<void> {
  const run = host.writing.then(() =>
    withCatchUpRetry(deps, async () => {
      const events: HostEvent[] = decideRecordHostReport(report, host.state);
      if (events.length === 0) return;
      const context = commandContext(hostActor(host.state.hostIdentifier ?? '', host.state.facts.hostname));
      await appendAndApply(deps, [{ streamId: host.streamId, expected: host.revision, events: toNewEvents(context, events) }]);
    }),
  );
  host.writing = run.catch(() => undefined);
  return run;
}
