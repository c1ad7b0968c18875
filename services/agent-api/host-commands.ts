/**
 * The host's commands as the agent API runs them: the host decider plus one call of the command
 * runner, with the in-memory view as the state source. Decided against the view's state of the
 * host, appended with the stream's revision there, and the appended events applied to the view
 * at once. A conflict means another instance wrote first: wait until the view has seen the log's
 * head, decide again.
 */
import { randomBytes } from 'node:crypto';
import { tokenHash } from '../../shared/auth/tokens';
import { hostDecider, type HostCommand, type HostState, type RecordHostReport } from '../../shared/domain/hosts/host-decider';
import { hostStreamId, type HostFacts } from '../../shared/domain/hosts/host-events';
import type { AggregateLoader } from '../../shared/eventsourcing/aggregate-loader';
import { idReservedFor, runCommand, type StateSource } from '../../shared/eventsourcing/command-runner';
import { commandContext } from '../../shared/eventsourcing/metadata';
import type { Actor, EventStore } from '../../shared/ports/event-store';
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

async function catchUpWithLog(deps: HostCommandDeps): Promise<void> {
  await deps.view.catchUpWith(deps.store, CATCH_UP_TIMEOUT_MS);
}

/**
 * Hosts' state as the view holds it. A host the view does not know may have been enrolled by
 * another instance: the view catches up with the log before answering that it is new.
 */
function viewOfHosts(deps: HostCommandDeps): StateSource<HostState> {
  return {
    async load(streamId) {
      if (!deps.view.hostByStream(streamId)) await catchUpWithLog(deps);
      const host = deps.view.hostByStream(streamId);
      return host ? { state: host.state, expected: host.revision } : { state: hostDecider.initialState, expected: 'no_stream' };
    },
    onAppended: (events) => events.forEach((event) => deps.view.apply(event)),
    beforeRetry: () => catchUpWithLog(deps),
  };
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
    await runCommand(this.deps, {
      streamId,
      decider: hostDecider,
      source: viewOfHosts(this.deps),
      reserveId: { kind: 'host', nameFor: (state) => (state.id === null ? request.hostIdentifier : null) },
      commandWith: (reserved): HostCommand => ({
        kind: 'enroll',
        hostIdentifier: request.hostIdentifier,
        nodeKeyHash,
        teamId: request.teamId,
        facts: request.facts,
        newId: () => idReservedFor(reserved, request.hostIdentifier),
      }),
      context: commandContext(hostActor(request.hostIdentifier, request.facts.hostname)),
    });
    const host = this.deps.view.hostByStream(streamId);
    if (!host) throw new Error(`host ${request.hostIdentifier} enrolled but missing from the view`);
    return { nodeKey, host };
  }
}

/**
 * Each host's appends run one at a time. Invariant: a host has an entry here only while one of its
 * writes is pending (the last one removes it), so an idle host holds no promise.
 */
const pendingWrites = new WeakMap<HostRecord, Promise<unknown>>();

/** Records what a host reported (facts, label and policy results): events only for changes. */
export function recordHostReport(deps: HostCommandDeps, host: HostRecord, report: RecordHostReport): Promise<void> {
  const run = (pendingWrites.get(host) ?? Promise.resolve()).then(async () => {
    await runCommand(deps, {
      streamId: host.streamId,
      decider: hostDecider,
      source: viewOfHosts(deps),
      command: { kind: 'record-report', ...report },
      context: commandContext(hostActor(host.state.hostIdentifier ?? '', host.state.facts.hostname)),
    });
  });
  const settled = run.catch(() => undefined);
  pendingWrites.set(host, settled);
  void settled.then(() => {
    if (pendingWrites.get(host) === settled) pendingWrites.delete(host);
  });
  return run;
}
