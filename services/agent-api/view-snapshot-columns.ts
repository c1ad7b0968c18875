/**
 * A chunk of snapshot hosts as binary columns (snapshot format 3): one typed array per field, the
 * variable-length parts (facts, label and policy lists) as offsets into shared arrays, and every
 * string once per chunk in one UTF-8 blob with its end offsets. Loading reads numbers out of
 * typed arrays and cuts strings out of one decoded text, where format 2's JSON tuples made a
 * parse tree per host first.
 *
 * Layout (little-endian; every section starts at a multiple of 8 bytes):
 *   u32 × 8   MAGIC, hosts n, fact entries f, label ids l, policy entries p, strings s, blob bytes, 0
 *   f64 × n   revision, id, team id (NaN: null), seenAt, detailsAt, labelsAt, policiesAt (7 columns)
 *   f64 × f   fact values (a number, or a string's index when its key says text)
 *   f64 × l   label ids;  f64 × p  policy entries (id * 2 + passing)
 *   i32 × n   stream, host identifier, node key hash (string indexes, -1: null) (3 columns)
 *   u32 × n+1 where each host's facts, labels, policies start (3 columns)
 *   u32 × f   fact keys: key string index * 2 + (1 when the value is text)
 *   u32 × s   each string's end in the blob's text (UTF-16 units)
 *   u8  × b   the blob
 *
 * Invariant: decoding checks every count, offset and index before it reads with it, and every
 * value as format 2's decoding does (view-snapshot-codec.ts): bytes that are not such a chunk
 * throw SnapshotDecodeError, never a crash nor a half-checked host.
 */
import type { HostState } from '../../shared/domain/hosts/host-decider';
import { isSharedValueFact, labelIdList, NO_IDS, sharedFactValue } from '../../shared/domain/hosts/compact-host-state';
import type { AgentView, HostRecord } from './agent-view';
import { check, policyList, SnapshotDecodeError } from './view-snapshot-codec';

const MAGIC = 0x3376_624c; // 'Lbv3'
const PREFIX_WORDS = 8;
const NUMBER_COLUMNS = 7;
const STRING_COLUMNS = 3;
const OFFSET_COLUMNS = 3;

/** check() for one host, its message made only when it fails (a start checks every host). */
function hostCheck(condition: boolean, streamId: string, what: string): asserts condition {
  if (!condition) throw new SnapshotDecodeError(`host ${streamId}: ${what}`);
}

const pad8 = (bytes: number) => Math.ceil(bytes / 8) * 8;

/** Where each section starts, from the counts; also the chunk's whole length. */
function sections(n: number, f: number, l: number, p: number, s: number, blob: number) {
  let at = PREFIX_WORDS * 4;
  const take = (bytes: number) => {
    const start = at;
    at += pad8(bytes);
    return start;
  };
  const numbers = take(8 * n * NUMBER_COLUMNS);
  const factValues = take(8 * f);
  const labels = take(8 * l);
  const policies = take(8 * p);
  const strings = take(4 * n * STRING_COLUMNS);
  const offsets = take(4 * (n + 1) * OFFSET_COLUMNS);
  const factKeys = take(4 * f);
  const stringEnds = take(4 * s);
  const text = take(blob);
  return { numbers, factValues, labels, policies, strings, offsets, factKeys, stringEnds, text, length: at };
}

/** The chunk of these hosts, each as it is now. */
export function encodeHostColumns(hosts: readonly HostRecord[]): Buffer {
  const strings = new Map<string, number>();
  const texts: string[] = [];
  let textLength = 0;
  const ends: number[] = [];
  const ref = (value: string | null): number => {
    if (value === null) return -1;
    let index = strings.get(value);
    if (index === undefined) {
      index = texts.push(value) - 1;
      strings.set(value, index);
      textLength += value.length;
      ends.push(textLength);
    }
    return index;
  };
  const n = hosts.length;
  const numbers = new Float64Array(n * NUMBER_COLUMNS);
  const refs = new Int32Array(n * STRING_COLUMNS);
  const offsets = new Uint32Array((n + 1) * OFFSET_COLUMNS);
  const factKeys: number[] = [];
  const factValues: number[] = [];
  const labels: number[] = [];
  const policies: number[] = [];
  hosts.forEach((host, i) => {
    const { state } = host;
    numbers.set([host.revision, state.id ?? NaN, state.teamId ?? NaN, host.seenAt, host.detailsAt, host.labelsAt, host.policiesAt], i * NUMBER_COLUMNS);
    refs.set([ref(host.streamId), ref(state.hostIdentifier), ref(state.nodeKeyHash)], i * STRING_COLUMNS);
    offsets.set([factKeys.length, labels.length, policies.length], i * OFFSET_COLUMNS);
    for (const [key, value] of Object.entries(state.facts as Record<string, unknown>)) {
      if (typeof value !== 'string' && typeof value !== 'number') continue; // as JSON leaves out an undefined fact
      const text = typeof value === 'string';
      factKeys.push(ref(key) * 2 + (text ? 1 : 0));
      factValues.push(text ? ref(value) : value);
    }
    labels.push(...state.labelIds);
    policies.push(...state.policyResults);
  });
  offsets.set([factKeys.length, labels.length, policies.length], n * OFFSET_COLUMNS);
  const blob = Buffer.from(texts.join(''), 'utf8');
  const at = sections(n, factKeys.length, labels.length, policies.length, texts.length, blob.length);
  const chunk = Buffer.alloc(at.length);
  const put = (array: ArrayBufferView, offset: number) => chunk.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), offset);
  put(new Uint32Array([MAGIC, n, factKeys.length, labels.length, policies.length, texts.length, blob.length, 0]), 0);
  put(numbers, at.numbers);
  put(Float64Array.from(factValues), at.factValues);
  put(Float64Array.from(labels), at.labels);
  put(Float64Array.from(policies), at.policies);
  put(refs, at.strings);
  put(offsets, at.offsets);
  put(Uint32Array.from(factKeys), at.factKeys);
  put(Uint32Array.from(ends), at.stringEnds);
  chunk.set(blob, at.text);
  return chunk;
}

const isWhole = (value: number) => Number.isSafeInteger(value) && value >= 0;

function ascending(values: Float64Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isWhole(values[i]) || (i > from && values[i] <= values[i - 1])) return false;
  return true;
}

/** Adds the chunk's hosts to the view; throws SnapshotDecodeError when the bytes are not a chunk. */
export function adoptHostColumns(view: AgentView, bytes: Uint8Array): number {
  check(bytes.byteLength >= PREFIX_WORDS * 4, 'a hosts part is too short');
  // The typed-array views below need the chunk at a multiple of 8 in its ArrayBuffer: copied when not.
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : new Uint8Array(bytes);
  const { buffer, byteOffset: base } = aligned;
  const [magic, n, f, l, p, s, blobBytes] = new Uint32Array(buffer, base, PREFIX_WORDS);
  check(magic === MAGIC, 'a hosts part is not a format 3 chunk');
  const at = sections(n, f, l, p, s, blobBytes);
  check(at.length === aligned.byteLength, 'a hosts part has the wrong length for its counts');
  const numbers = new Float64Array(buffer, base + at.numbers, n * NUMBER_COLUMNS);
  const factValues = new Float64Array(buffer, base + at.factValues, f);
  const labels = new Float64Array(buffer, base + at.labels, l);
  const policies = new Float64Array(buffer, base + at.policies, p);
  const refs = new Int32Array(buffer, base + at.strings, n * STRING_COLUMNS);
  const offsets = new Uint32Array(buffer, base + at.offsets, (n + 1) * OFFSET_COLUMNS);
  const factKeys = new Uint32Array(buffer, base + at.factKeys, f);
  const ends = new Uint32Array(buffer, base + at.stringEnds, s);
  const text = Buffer.from(buffer, base + at.text, blobBytes).toString('utf8');
  for (let i = 0; i < s; i++) check(ends[i] <= text.length && (i === 0 || ends[i] >= ends[i - 1]), 'a string ends outside the blob');
  check(s === 0 ? text.length === 0 : ends[s - 1] === text.length, 'the strings do not fill the blob');
  const decoded: string[] = new Array(s);
  for (let i = 0; i < s; i++) decoded[i] = text.slice(i === 0 ? 0 : ends[i - 1], ends[i]);
  const stringAt = (index: number): string | null => {
    if (index === -1) return null;
    check(index >= 0 && index < s, 'a string index is out of range');
    return decoded[index];
  };
  // Facts are shared as internFacts shares them (compact-host-state.ts): a string is one instance
  // in its chunk already (so the uuid is the host identifier's, the computer name the hostname's);
  // a value of a low-variety fact is also replaced by the pool's, once per chunk.
  const keyShares = new Uint8Array(s); // 0: not known yet, 1: shared values, 2: not
  const pooled = new Uint8Array(s);
  const factText = (keyIndex: number, valueIndex: number): string => {
    const value = stringAt(valueIndex);
    check(value !== null, 'a text fact has no text');
    if (keyShares[keyIndex] === 0) keyShares[keyIndex] = isSharedValueFact(decoded[keyIndex]) ? 1 : 2;
    if (keyShares[keyIndex] === 2 || pooled[valueIndex] === 1) return value;
    pooled[valueIndex] = 1;
    return (decoded[valueIndex] = sharedFactValue(value));
  };
  for (let c = 0; c < OFFSET_COLUMNS; c++) {
    const limit = [f, l, p][c];
    for (let i = 0; i <= n; i++) {
      const offset = offsets[i * OFFSET_COLUMNS + c];
      check(offset <= limit && (i === 0 ? offset === 0 : offset >= offsets[(i - 1) * OFFSET_COLUMNS + c]) && (i < n || offset === limit), 'a host list runs outside its part');
    }
  }
  for (let i = 0; i < n; i++) adoptHost(view, i);
  return n;

  function adoptHost(view: AgentView, i: number): void {
    const streamId = stringAt(refs[i * STRING_COLUMNS]);
    check(streamId !== null && streamId !== '', 'a host has no stream');
    const row = i * NUMBER_COLUMNS;
    const revision = numbers[row];
    const id = numbers[row + 1];
    const teamId = numbers[row + 2];
    const seenAt = numbers[row + 3];
    const detailsAt = numbers[row + 4];
    const labelsAt = numbers[row + 5];
    const policiesAt = numbers[row + 6];
    hostCheck(isWhole(revision), streamId, 'bad revision');
    hostCheck((Number.isNaN(id) || isWhole(id)) && (Number.isNaN(teamId) || Number.isSafeInteger(teamId)), streamId, 'bad id or team');
    hostCheck(Number.isFinite(seenAt) && Number.isFinite(detailsAt) && Number.isFinite(labelsAt) && Number.isFinite(policiesAt), streamId, 'bad presence');
    const hostIdentifier = stringAt(refs[i * STRING_COLUMNS + 1]);
    const from = i * OFFSET_COLUMNS;
    const to = from + OFFSET_COLUMNS;
    const facts0 = offsets[from];
    const labels0 = offsets[from + 1];
    const policies0 = offsets[from + 2];
    const facts1 = offsets[to];
    const labels1 = offsets[to + 1];
    const policies1 = offsets[to + 2];
    hostCheck(ascending(labels, labels0, labels1) && ascending(policies, policies0, policies1), streamId, 'bad label or policy list');
    const facts: Record<string, string | number> = {};
    for (let entry = facts0; entry < facts1; entry++) {
      const keyIndex = factKeys[entry] >>> 1;
      const key = stringAt(keyIndex);
      hostCheck(key !== null && key !== '__proto__', streamId, 'bad fact name');
      const value = factValues[entry];
      if (factKeys[entry] & 1) {
        hostCheck(Number.isInteger(value), streamId, 'bad fact');
        facts[key] = factText(keyIndex, value);
      } else {
        hostCheck(Number.isFinite(value), streamId, 'a host fact is neither text nor a number');
        facts[key] = value;
      }
    }
    const state: HostState = {
      id: Number.isNaN(id) ? null : id,
      hostIdentifier,
      nodeKeyHash: stringAt(refs[i * STRING_COLUMNS + 2]),
      teamId: Number.isNaN(teamId) ? null : teamId,
      facts,
      labelIds: labels1 === labels0 ? NO_IDS : labelIdList(labels.subarray(labels0, labels1)),
      policyResults: policies1 === policies0 ? NO_IDS : policyList(Array.from(policies.subarray(policies0, policies1))),
    };
    const host = view.adoptHost(streamId, revision, state);
    if (host === null) throw new SnapshotDecodeError(`host ${streamId}: its stream, id ${state.id} or node key is another host's too`);
    host.seenAt = seenAt;
    host.detailsAt = detailsAt;
    host.labelsAt = labelsAt;
    host.policiesAt = policiesAt;
  }
}
