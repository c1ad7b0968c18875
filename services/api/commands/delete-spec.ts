/**
 * Command side of deleting a spec by name (DELETE /api/v1/fleet/{queries,packs,labels}/:name).
 * The deletion and Fleet's cascade are one atomic append, decided on loaded state by the spec
 * decider (spec-deletion.ts): the deleted spec's stream, and for a query or label every pack's
 * stream, each told to drop what names the deleted spec. The command runner retries the whole
 * run on a conflict, so a pack applied meanwhile is decided on again with its new version.
 *
 * Which packs exist is read from the write side, not a read model: every pack name ever created
 * is in the pack id sequence (`sequence-pack`, one IdReserved per new pack), and each one's stream
 * says whether it still exists. A pack created after that read and naming the deleted spec is
 * the same race apply-specs has with a deletion; osquery-config skips a saved query that is gone.
 */
import { idSequenceStreamId } from '../../../shared/domain/sequences/id-sequence';
import { ID_RESERVED, type IdReserved } from '../../../shared/domain/sequences/id-sequence-events';
import { specDecider } from '../../../shared/domain/specs/spec-decider';
import { specStreamId, type DeletableSpecKind } from '../../../shared/domain/specs/spec-types';
import { onStream, runCommandOnStreams, type CommandDeps, type StreamStep } from '../../../shared/eventsourcing/command-runner';
import type { CommandContext } from '../../../shared/eventsourcing/metadata';

/** Every name a pack was ever created with, each once. */
async function packNamesEverCreated(deps: CommandDeps): Promise<string[]> {
  const reserved = await deps.store.readStream(idSequenceStreamId('pack'), 0);
  return [...new Set(reserved.filter((event) => event.type === ID_RESERVED).map((event) => (event.data as IdReserved).name))];
}

/** Deletes the spec of `kind` named `name` (404 if there is none), with Fleet's cascade. */
export async function deleteSpec(deps: CommandDeps, kind: DeletableSpecKind, name: string, context: CommandContext): Promise<{ position: number | null }> {
  const streams: StreamStep[] = [onStream({ streamId: specStreamId(kind, name), decider: specDecider, command: { action: 'delete', kind, name } })];
  if (kind === 'query' || kind === 'label') {
    for (const pack of await packNamesEverCreated(deps)) {
      streams.push(onStream({ streamId: specStreamId('pack', pack), decider: specDecider, command: { action: 'detach', deleted: { kind, name } } }));
    }
  }
  const { position } = await runCommandOnStreams(deps, { streams, context });
  return { position };
}
