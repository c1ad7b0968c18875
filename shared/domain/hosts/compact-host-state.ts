/**
 * Compact forms of a host's state, so that a process holding every host's state (the agent API's
 * view) holds little per host: equal values are shared between hosts instead of copied per host.
 *
 * Invariants:
 * - a label id list is ascending, without duplicates, frozen, and may be shared by many hosts;
 * - a policy result list holds `id * 2 + (passing ? 1 : 0)` per policy with a result, ascending
 *   by id, frozen, shared likewise; only ids the decider can ask about are kept (see below);
 * - an interned fact value is equal (===) to the value it replaces: only instances are shared.
 * Pools are bounded: past their size, values are kept as they are (correct, just not shared).
 */
import type { HostFacts } from './host-events';

const MAX_POOL_ENTRIES = 10_000;

class Pool<T> {
  private readonly entries = new Map<string, T>();

  get(key: string, make: () => T): T {
    const known = this.entries.get(key);
    if (known !== undefined) return known;
    const made = make();
    if (this.entries.size < MAX_POOL_ENTRIES) this.entries.set(key, made);
    return made;
  }
}

export const NO_IDS: readonly number[] = Object.freeze([]);
const idLists = new Pool<readonly number[]>();
const policyLists = new Pool<readonly number[]>();
const factValues = new Pool<string>();

/** Facts whose values few hosts differ in (platform, OS, osquery version, hardware model...). */
const SHARED_VALUE_FACTS: ReadonlySet<string> = new Set(['platform', 'platform_like', 'os_version', 'build', 'osquery_version', 'hardware_model', 'hardware_vendor', 'cpu_brand']);

function sharedList(pool: Pool<readonly number[]>, sorted: number[]): readonly number[] {
  return sorted.length === 0 ? NO_IDS : pool.get(sorted.join(','), () => Object.freeze(sorted));
}

/** The shared list of these label ids (any order, duplicates allowed). */
export function labelIdList(ids: Iterable<number>): readonly number[] {
  return sharedList(idLists, [...new Set(ids)].sort((a, b) => a - b));
}

function indexOfId(list: readonly number[], id: number, encoded: boolean): number {
  let low = 0;
  let high = list.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const at = encoded ? Math.floor(list[middle] / 2) : list[middle];
    if (at === id) return middle;
    if (at < id) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

export function hasLabelId(list: readonly number[], id: number): boolean {
  return indexOfId(list, id, false) >= 0;
}

/** The largest id whose String() a policy result key can be (query names carry up to 15 digits). */
const MAX_POLICY_ID = 999_999_999_999_999;
const CANONICAL_ID_KEY = /^(0|[1-9]\d{0,14})$/;

/** The recorded result of a policy for a host, undefined when none: what `results[String(id)]` was. */
export function policyResultOf(list: readonly number[], id: number): boolean | undefined {
  if (!Number.isSafeInteger(id) || id < 0 || id > MAX_POLICY_ID) return undefined;
  const index = indexOfId(list, id === 0 ? 0 : id, true);
  return index < 0 ? undefined : list[index] % 2 === 1;
}

/**
 * The list with these results (policy id as a key, as events carry them) merged over it. A key
 * that is not the String() of an id in range is dropped: the decider looks results up only by
 * `String(id)` of such ids, so no lookup could ever find it.
 */
export function withPolicyResults(list: readonly number[], results: Readonly<Record<string, boolean>>): readonly number[] {
  const byId = new Map<number, boolean>();
  for (const encoded of list) byId.set(Math.floor(encoded / 2), encoded % 2 === 1);
  for (const [key, passing] of Object.entries(results)) {
    if (CANONICAL_ID_KEY.test(key)) byId.set(Number(key), passing === true);
  }
  const sorted = [...byId].sort(([a], [b]) => a - b).map(([id, passing]) => id * 2 + (passing ? 1 : 0));
  return sharedList(policyLists, sorted);
}

/** Whether values of this fact are shared between hosts (from the pool: sharedFactValue). */
export function isSharedValueFact(key: string): boolean {
  return SHARED_VALUE_FACTS.has(key);
}

/** The pool's instance of a shared fact's value (equal to it). */
export function sharedFactValue(value: string): string {
  return factValues.get(value, () => value);
}

/**
 * The same facts with values shared where they are equal: the low-variety facts from a pool, the
 * uuid as the host identifier's instance when equal, the computer name as the hostname's.
 */
export function internFacts(facts: Partial<HostFacts>, hostIdentifier: string | null): Partial<HostFacts> {
  return internFactsInPlace({ ...facts }, hostIdentifier);
}

/**
 * internFacts on an object the caller owns (a snapshot's freshly parsed facts): its values are
 * replaced by the shared instances, no copy made. Answers the same object.
 */
export function internFactsInPlace(facts: Record<string, unknown>, hostIdentifier: string | null): Partial<HostFacts> {
  for (const key of Object.keys(facts)) {
    const value = facts[key];
    if (typeof value !== 'string') continue;
    if (SHARED_VALUE_FACTS.has(key)) facts[key] = factValues.get(value, () => value);
    else if (key === 'uuid' && value === hostIdentifier) facts[key] = hostIdentifier;
    else if (key === 'computer_name' && value === facts.hostname) facts[key] = facts.hostname;
  }
  return facts as Partial<HostFacts>;
}
