/**
 * Command side of the spec API: load each named spec's stream, decide, and append all of a
 * request's events in one atomic append (ids reserved in the same append), retrying the whole
 * request when another writer got there first.
 */
import { DomainError } from '../../../shared/domain/errors';
import { SPEC_APPLIED_TYPE, type SpecApplied } from '../../../shared/domain/events';
import { decideReserveIds, idSequenceStreamId } from '../../../shared/domain/sequences/id-sequence';
import { idSequenceAggregate } from '../../../shared/eventsourcing/id-sequence-aggregate';
import { decideApplySpec, evolveSpec, initialSpecState, type SpecState } from '../../../shared/domain/specs/spec-decider';
import { specStreamId, type PackSpec, type PolicySpec, type SpecByKind, type SpecKind } from '../../../shared/domain/specs/spec-types';
import type { AggregateLoader, AggregateType } from '../../../shared/eventsourcing/aggregate-loader';
import { toNewEvents, type CommandContext } from '../../../shared/eventsourcing/metadata';
import { retryOnConflict } from '../../../shared/eventsourcing/retry-on-conflict';
import type { EventStore, StreamWrite } from '../../../shared/ports/event-store';

const specAggregate: AggregateType<SpecState> = {
  initial: initialSpecState(),
  evolve: (state, event) => evolveSpec(state, event.data as SpecApplied),
};

export interface SpecCommandDeps {
  store: EventStore;
  loader: AggregateLoader;
}

export interface ApplyResult {
  /** Log position of the append, or null when nothing changed. */
  position: number | null;
}

async function specExists(deps: SpecCommandDeps, kind: SpecKind, name: string): Promise<boolean> {
  const { state } = await deps.loader.load(specStreamId(kind, name), specAggregate);
  return state.spec !== null;
}

async function missingNames(deps: SpecCommandDeps, kind: SpecKind, names: Iterable<string>): Promise<string[]> {
  const unique = [...new Set(names)];
  const exists = await Promise.all(unique.map((name) => specExists(deps, kind, name)));
  return unique.filter((_, index) => !exists[index]);
}

/** Specs that name other specs: a pack's queries, labels and teams; a policy's team. */
async function checkReferences<K extends SpecKind>(deps: SpecCommandDeps, kind: K, specs: SpecByKind[K][]): Promise<void> {
  const problems: Array<{ name: string; reason: string }> = [];
  const require = async (refKind: SpecKind, names: string[], field: string) => {
    for (const name of await missingNames(deps, refKind, names)) {
      problems.push({ name: field, reason: `${refKind} "${name}" does not exist` });
    }
  };
  if (kind === 'pack') {
    const packs = specs as PackSpec[];
    await require('query', packs.flatMap((pack) => pack.queries.map((query) => query.query)), 'queries');
    await require('label', packs.flatMap((pack) => pack.targets.labels ?? []), 'targets.labels');
    await require('team', packs.flatMap((pack) => pack.targets.teams ?? []), 'targets.teams');
  }
  if (kind === 'policy') {
    await require('team', (specs as PolicySpec[]).map((policy) => policy.team).filter((team) => team !== ''), 'team');
  }
  if (problems.length > 0) {
    throw new DomainError('validation', problems.map((problem) => problem.reason).join('; '), problems);
  }
}

async function buildWrites<K extends SpecKind>(
  deps: SpecCommandDeps,
  kind: K,
  specs: SpecByKind[K][],
  context: CommandContext,
  builtin: boolean,
): Promise<StreamWrite[]> {
  const loaded = await Promise.all(specs.map((spec) => deps.loader.load(specStreamId(kind, spec.name), specAggregate)));
  const newNames = specs.filter((_, index) => loaded[index].state.id === null).map((spec) => spec.name);
  const writes: StreamWrite[] = [];
  const newIds = new Map<string, number>();
  if (newNames.length > 0) {
    const sequence = await deps.loader.load(idSequenceStreamId(kind), idSequenceAggregate);
    const reserved = decideReserveIds(newNames, sequence.state);
    for (const entry of reserved) newIds.set(entry.name, entry.id);
    writes.push({
      streamId: idSequenceStreamId(kind),
      expected: sequence.expected,
      events: toNewEvents(context, reserved.map((data) => ({ type: 'IdReserved', data }))),
    });
  }
  specs.forEach((spec, index) => {
    const { state, expected } = loaded[index];
    const events = decideApplySpec({ kind, spec, idIfNew: newIds.get(spec.name) ?? 0, builtin }, state as SpecState<K>);
    if (events.length === 0) return;
    writes.push({
      streamId: specStreamId(kind, spec.name),
      expected,
      events: toNewEvents(context, events.map((data) => ({ type: SPEC_APPLIED_TYPE[kind], data }))),
    });
  });
  return writes;
}

/** Applies specs of one kind, all or nothing. */
export async function applySpecs<K extends SpecKind>(
  deps: SpecCommandDeps,
  kind: K,
  specs: SpecByKind[K][],
  context: CommandContext,
  options: { builtin?: boolean } = {},
): Promise<ApplyResult> {
  await checkReferences(deps, kind, specs);
  return retryOnConflict(async () => {
    const writes = await buildWrites(deps, kind, specs, context, options.builtin === true);
    const specWrites = writes.filter((write) => !write.streamId.startsWith('sequence-'));
    if (specWrites.length === 0) return { position: null };
    const result = await deps.store.append(writes);
    return { position: result.position };
  });
}
