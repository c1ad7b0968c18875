/**
 * Command side of deleting specs: by name (DELETE /api/v1/fleet/{queries,packs,labels}/:name)
 * and, resolved from id to name by the route, policies and teams. The deletions and Fleet's
 * cascade are one atomic append, decided on loaded state by the spec decider (spec-deletion.ts):
 * the deleted specs' streams; for a query, label or team every pack's stream, each told to drop
 * what names the deleted spec; for a team every policy's stream, its policies deleted with it. The command runner retries the whole
 * run on a conflict, so a pack applied meanwhile is decided on again with its new version.
 *
 * Which packs (policies) exist is read from the write side, not a read model: every name ever created
 * is in the kind's id sequence (`sequence-pack`, one IdReserved per new pack), and each one's stream
 * says whether it still exists. A pack created after that read and naming the deleted spec is
 * the same race apply-specs has with a deletion; osquery-config skips a saved query that is gone.
 */
import { idSequenceStreamId } from '../../../shared/domain/sequences/id-sequence';
import { ID_RESERVED, type IdReserved } from '../../../shared/domain/sequences/id-sequence-events';
import { specDecider } from '../../../shared/domain/specs/spec-decider';
import { specStreamId, type DeletableSpecKind } from '../../../shared/domain/specs/spec-types';
import { onStream, runCommandOnStreams, type CommandDeps, type StreamStep } from '../../../shared/eventsourcing/command-runner';
import type { CommandContext } from '../../../shared/eventsourcing/metadata';

/** Every name a spec of `kind` was ever created with, each once. */
async function namesEverCreated(deps: CommandDeps, kind: 'pack' | 'policy'): Promise<string[]> {
  const reserved = await deps.store.readStream(idSequenceStreamId(kind), 0);
  return [...new Set(reserved.filter((event) => event.type === ID_RESERVED).map((event) => (event.data as IdReserved).name))];
}

/** One spec to delete: its name, and for policies and teams the id it was asked by (see DeleteSpec). */
export interface SpecToDelete {
  name: string;
  id?: number;
}

/**
 * Deletes the specs of `kind` (404 if any is gone: then none is deleted), with Fleet's cascade.
 * Invariants: `specs` holds distinct names; a kind with a cascade (query, label, team) is deleted
 * one at a time, so no stream is decided on twice in one run.
 */
export async function deleteSpecs(deps: CommandDeps, kind: DeletableSpecKind, specs: readonly SpecToDelete[], context: CommandContext): Promise<{ position: number | null }> {
  const streams: StreamStep[] = specs.map(({ name, id }) =>
    onStream({ streamId: specStreamId(kind, name), decider: specDecider, command: { action: 'delete', kind, name, id } }),
  );
  const cascades = kind === 'query' || kind === 'label' || kind === 'team';
  if (cascades && specs.length !== 1) throw new Error(`deleteSpecs: ${kind} specs are deleted one at a time`);
  const name = specs[0]?.name ?? '';
  if (cascades) {
    for (const pack of await namesEverCreated(deps, 'pack')) {
      streams.push(onStream({ streamId: specStreamId('pack', pack), decider: specDecider, command: { action: 'detach', deleted: { kind, name } } }));
    }
  }
  if (kind === 'team') {
    for (const policy of await namesEverCreated(deps, 'policy')) {
      streams.push(onStream({ streamId: specStreamId('policy', policy), decider: specDecider, command: { action: 'delete-with-team', team: name } }));
    }
  }
  const { position } = await runCommandOnStreams(deps, { streams, context });
  return { position };
}

/** Deletes the spec of `kind` named `name` (404 if there is none), with Fleet's cascade. */
export function deleteSpec(deps: CommandDeps, kind: DeletableSpecKind, name: string, context: CommandContext): Promise<{ position: number | null }> {
  return deleteSpecs(deps, kind, [{ name }], context);
}
