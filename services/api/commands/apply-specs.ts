/**
 * Command side of the spec API: each named spec's stream is decided on, and all of a request's
 * events are appended in one atomic append (ids of new specs reserved in the same append) by the
 * command runner, which runs the whole request again when another writer got there first.
 */
import { DomainError } from '../../../shared/domain/errors';
import { specDecider } from '../../../shared/domain/specs/spec-decider';
import { specStreamId, type PackSpec, type PolicySpec, type SpecByKind, type SpecKind } from '../../../shared/domain/specs/spec-types';
import { onStream, runCommandOnStreams, type CommandDeps } from '../../../shared/eventsourcing/command-runner';
import type { CommandContext } from '../../../shared/eventsourcing/metadata';

export type SpecCommandDeps = CommandDeps;

export interface ApplyResult {
  /** Log position of the append, or null when nothing changed. */
  position: number | null;
}

async function specExists(deps: SpecCommandDeps, kind: SpecKind, name: string): Promise<boolean> {
  const { state } = await deps.loader.load(specStreamId(kind, name), specDecider);
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

/** Applies specs of one kind, all or nothing. */
export async function applySpecs<K extends SpecKind>(
  deps: SpecCommandDeps,
  kind: K,
  specs: SpecByKind[K][],
  context: CommandContext,
  options: { builtin?: boolean } = {},
): Promise<ApplyResult> {
  await checkReferences(deps, kind, specs);
  const builtin = options.builtin === true;
  const streams = specs.map((spec) =>
    onStream({
      streamId: specStreamId(kind, spec.name),
      decider: specDecider,
      reserveId: { kind, nameFor: (state) => (state.id === null ? spec.name : null) },
      commandWith: (reserved) => ({ kind, spec, idIfNew: reserved.get(spec.name) ?? 0, builtin }),
    }),
  );
  const { position } = await runCommandOnStreams(deps, { streams, context });
  return { position };
}
