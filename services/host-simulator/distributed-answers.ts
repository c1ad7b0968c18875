/**
 * How a simulated osqueryd answers the distributed queries of one check-in: each query's rows,
 * status, message and stats, as osqueryd's distributed/write carries them. A query fails with the
 * configured probability (status 1), or answers no rows with the configured probability.
 */
import type { SimulatorCounters } from './host-context';
import type { SeededRandom } from './seeded-random';
import type { QueryResult, Row } from './sql-engine';

export type DistributedWriteBody = {
  queries: Record<string, Row[]>;
  statuses: Record<string, number>;
  messages: Record<string, string>;
  stats: Record<string, object>;
};

export function answerDistributedQueries(
  names: string[],
  queries: Record<string, string>,
  run: (sql: string) => QueryResult,
  random: SeededRandom,
  options: { queryErrorProbability: number; emptyResultProbability: number },
  counters: SimulatorCounters,
): { body: DistributedWriteBody; rowCounts: Record<string, number> } {
  const body: DistributedWriteBody = { queries: {}, statuses: {}, messages: {}, stats: {} };
  const rowCounts: Record<string, number> = {};
  for (const name of names) {
    const started = performance.now();
    let rows: Row[] = [];
    let status = 0;
    let message = '';
    if (random.chance(options.queryErrorProbability)) {
      status = 1;
      message = 'simulated error: query failed';
    } else {
      const result = run(queries[name]);
      if (result.ok) rows = random.chance(options.emptyResultProbability) ? [] : result.rows;
      else {
        status = 1;
        message = result.message;
      }
    }
    const wallMs = Math.round(performance.now() - started);
    body.queries[name] = rows;
    body.statuses[name] = status;
    body.messages[name] = message;
    body.stats[name] = { wall_time_ms: wallMs, user_time: wallMs, system_time: 0, memory: 0 };
    rowCounts[name] = rows.length;
    counters.queriesAnswered++;
    if (status !== 0) counters.queryErrors++;
  }
  return { body, rowCounts };
}
