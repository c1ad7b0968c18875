/**
 * The indexed fields of each generation-scoped read model, by logical collection name: every
 * handle ReadModels gives out declares them, so the projector's writes (live or rebuilding a new
 * generation) and the API's reads use the same indexes, and a generation is indexed from its
 * first document on.
 */
import { HOSTS_INDEXES } from './host-read-model';
import { HOSTS } from './read-model-types';

export const READ_MODEL_INDEXES: Readonly<Record<string, readonly string[]>> = {
  [HOSTS]: HOSTS_INDEXES,
};
