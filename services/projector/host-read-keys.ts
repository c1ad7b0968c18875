/**
 * Moves a host's counters and search terms (shared/read-models/host-read-model.ts) from what its
 * document was to what it becomes, in the projection's unit of work: a counter key the host
 * gains is incremented, one it loses decremented (a counter at zero is deleted, so listings by
 * prefix show only what some host has), and group members and search entries are added and
 * removed likewise.
 *
 * Runs only when the host document itself is written (an event newer than its revision), so a
 * replayed event moves nothing twice.
 */
import {
  counterKeys,
  HOST_COUNTS,
  HOST_MEMBERS,
  HOST_SEARCH,
  memberGroups,
  memberKey,
  searchKey,
  searchTerms,
  type HostCountDoc,
  type HostSearchDoc,
} from '../../shared/read-models/host-read-model';
import type { HostDoc } from '../../shared/read-models/read-model-types';
import type { UnitOfWork } from './unit-of-work';

function difference(from: readonly string[], to: readonly string[]): { gone: string[]; added: string[] } {
  const before = new Set(from);
  const after = new Set(to);
  return { gone: [...before].filter((key) => !after.has(key)), added: [...after].filter((key) => !before.has(key)) };
}

export async function moveHostReadKeys(uow: UnitOfWork, before: HostDoc | null, after: HostDoc): Promise<void> {
  const counters = difference(counterKeys(before), counterKeys(after));
  for (const [keys, delta] of [[counters.gone, -1], [counters.added, 1]] as const) {
    for (const key of keys) {
      const n = ((await uow.get<HostCountDoc>(HOST_COUNTS, key))?.n ?? 0) + delta;
      if (n > 0) uow.put(HOST_COUNTS, key, { key, n } satisfies HostCountDoc);
      else uow.delete(HOST_COUNTS, key);
    }
  }
  const groups = difference(memberGroups(before), memberGroups(after));
  for (const group of groups.gone) uow.delete(HOST_MEMBERS, memberKey(group, after.id));
  for (const group of groups.added) uow.put(HOST_MEMBERS, memberKey(group, after.id), { host_id: after.id } satisfies HostSearchDoc);
  const terms = difference(searchTerms(before), searchTerms(after));
  for (const term of terms.gone) uow.delete(HOST_SEARCH, searchKey(term, after.id));
  for (const term of terms.added) uow.put(HOST_SEARCH, searchKey(term, after.id), { host_id: after.id } satisfies HostSearchDoc);
}
