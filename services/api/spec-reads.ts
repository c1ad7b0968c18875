/** The spec routes' reads: specs of a kind, one spec, its history, the enroll secrets. */
import { notFound } from '../../shared/domain/errors';
import type { SpecKind } from '../../shared/domain/specs/spec-types';
import {
  deletionKey,
  GLOBAL_ENROLL_SECRETS_KEY,
  HISTORY,
  historyKey,
  SETTINGS,
  SPEC_DELETIONS,
  specCollection,
  type EnrollSecretsDoc,
  type SpecDeletionDoc,
  type SpecDoc,
  type SpecVersionDoc,
} from '../../shared/read-models/read-model-types';
import type { ReadModels } from '../../shared/read-models/read-models';

export function specsOf(readModels: ReadModels, kind: SpecKind): Promise<SpecDoc[]> {
  return readModels.collection<SpecDoc>(specCollection(kind)).find({ sort: { field: 'id', direction: 'asc' } });
}

/** The spec named `name`, or 404. */
export async function findSpec(readModels: ReadModels, kind: SpecKind, name: string): Promise<SpecDoc> {
  const doc = await readModels.collection<SpecDoc>(specCollection(kind)).get(name);
  if (!doc) throw notFound(`${kind} "${name}"`);
  return doc;
}

/** The spec of this kind with this id (the read models' numeric id, as Fleet's id routes name it), or undefined. */
export async function specById<K extends SpecKind>(readModels: ReadModels, kind: K, id: number): Promise<SpecDoc<K> | undefined> {
  const [doc] = await readModels.collection<SpecDoc<K>>(specCollection(kind)).find({ where: { id }, limit: 1 });
  return doc;
}

/**
 * Every version of a spec, oldest first, its deletions included: also of a name deleted and not
 * applied again (its last version is its deletion). 404 for a name that never had a spec; a
 * version not yet projected is left out.
 */
export async function specHistory(readModels: ReadModels, kind: SpecKind, name: string): Promise<SpecVersionDoc[]> {
  const current = await readModels.collection<SpecDoc>(specCollection(kind)).get(name);
  const latest = current?.version ?? (await readModels.collection<SpecDeletionDoc>(SPEC_DELETIONS).get(deletionKey(kind, name)))?.version;
  if (latest === undefined) throw notFound(`${kind} "${name}"`);
  const versions = readModels.collection<SpecVersionDoc>(HISTORY);
  const history = await Promise.all(Array.from({ length: latest }, (_, index) => versions.get(historyKey(kind, name, index + 1))));
  return history.filter((entry): entry is SpecVersionDoc => entry !== null);
}

export async function enrollSecrets(readModels: ReadModels): Promise<EnrollSecretsDoc['secrets']> {
  const doc = await readModels.collection<EnrollSecretsDoc>(SETTINGS).get(GLOBAL_ENROLL_SECRETS_KEY);
  return doc?.secrets ?? [];
}
