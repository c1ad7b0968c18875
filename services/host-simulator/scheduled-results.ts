/** The arithmetic of osqueryd's scheduled queries: when a query is next due, and the differential of two result sets. */
import type { ScheduledQuery } from './osquery-config';
import { differentialBatch, differentialEvents, type LogLine, type ResultContext } from './result-log';
import type { SeededRandom } from './seeded-random';
import type { Row } from './sql-engine';

/** One scheduled query of a host: its splayed interval, when it is next due, its last results. */
export interface ScheduleState {
  query: ScheduledQuery;
  splayedInterval: number;
  nextDueUnix: number;
  previous: Row[] | null;
  counter: number;
}

/**
 * The state of a scheduled query after a config (re)load: kept as it was when the query and its
 * interval did not change; otherwise osqueryd splays the interval by up to
 * schedule_splay_percent (10 %) and runs the query when the clock is a multiple of it.
 */
export function scheduleStateFor(query: ScheduledQuery, old: ScheduleState | undefined, random: SeededRandom, nowUnix: number): ScheduleState {
  if (old && old.query.query === query.query && old.query.interval === query.interval) return { ...old, query };
  const splay = Math.floor(query.interval * 0.1);
  const splayedInterval = Math.max(1, query.interval + (splay > 0 ? random.int(-splay, splay) : 0));
  return { query, splayedInterval, nextDueUnix: nextMultiple(nowUnix, splayedInterval), previous: old?.previous ?? null, counter: old?.counter ?? 0 };
}

/**
 * The result log lines of a differential query's run, updating its state: the first run logs every
 * row as added (counter 0); a later run logs what changed and counts up; removed rows only when the
 * query logs them. Nothing changed → no lines.
 */
export function differentialLines(state: ScheduleState, rows: Row[], context: ResultContext, asEvents: boolean): LogLine[] {
  let added: Row[];
  let removed: Row[];
  if (state.previous === null) {
    added = rows;
    removed = [];
    state.counter = 0;
  } else {
    ({ added, removed } = diffRows(state.previous, rows));
    if (added.length > 0 || removed.length > 0) state.counter++;
  }
  state.previous = rows;
  if (!state.query.removed) removed = [];
  if (added.length === 0 && removed.length === 0) return [];
  const lines = { ...context, counter: state.counter };
  return asEvents ? differentialEvents(lines, added, removed) : [differentialBatch(lines, added, removed)];
}

/** The next time after `nowUnix` that is a multiple of `interval` (osqueryd runs a query on those). */
export function nextMultiple(nowUnix: number, interval: number): number {
  return (Math.floor(nowUnix / interval) + 1) * interval;
}

/** Each row's JSON, computed once per row object (a row stays the same object between runs). */
const rowKeys = new WeakMap<Row, string>();
function rowKey(row: Row): string {
  let key = rowKeys.get(row);
  if (key === undefined) {
    key = JSON.stringify(row);
    rowKeys.set(row, key);
  }
  return key;
}

/** osquery's diff: rows of `current` not in `previous` are added; the rest of `previous` removed (as multisets). */
export function diffRows(previous: Row[], current: Row[]): { added: Row[]; removed: Row[] } {
  const remaining = new Map<string, number>();
  for (const row of previous) {
    const key = rowKey(row);
    remaining.set(key, (remaining.get(key) ?? 0) + 1);
  }
  const added: Row[] = [];
  for (const row of current) {
    const key = rowKey(row);
    const count = remaining.get(key) ?? 0;
    if (count > 0) remaining.set(key, count - 1);
    else added.push(row);
  }
  const removed: Row[] = [];
  for (const row of previous) {
    const key = rowKey(row);
    const count = remaining.get(key) ?? 0;
    if (count > 0) {
      removed.push(row);
      remaining.set(key, count - 1);
    }
  }
  return { added, removed };
}
