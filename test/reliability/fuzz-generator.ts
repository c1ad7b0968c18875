/**
 * The fuzzer's cases, from a seed: first the systematic part (every route × every mutation that
 * applies, every credential, every socket case), then random cases up to `total`, interleaved
 * in a seeded order. Same seed and context, same cases.
 */
import { SeededRandom } from '../../services/host-simulator/seeded-random';
import { randomAgentCase, systematicAgentCases } from './fuzz-agent';
import type { FuzzCase, FuzzContext } from './fuzz-case';
import { randomOperatorCase, systematicOperatorCases } from './fuzz-operator';
import { systematicSocketCases } from './fuzz-sockets';

export const DEFAULT_SEED = 'logbook-fuzz-1';

/** The seed for this run: FUZZ_SEED when set, else the fixed default. */
export function fuzzSeed(env: NodeJS.ProcessEnv = process.env): string {
  return env.FUZZ_SEED && env.FUZZ_SEED.length > 0 ? env.FUZZ_SEED : DEFAULT_SEED;
}

export function generateCases(ctx: FuzzContext, seed: string, total: number): FuzzCase[] {
  const rnd = new SeededRandom('fuzz', seed);
  const cases: Array<Omit<FuzzCase, 'id'>> = [...systematicOperatorCases(ctx, rnd), ...systematicAgentCases(ctx, rnd), ...systematicSocketCases(ctx, rnd)];
  while (cases.length < total) cases.push(rnd.chance(0.7) ? randomOperatorCase(ctx, rnd) : randomAgentCase(ctx, rnd));
  // Fisher–Yates with the seeded source: routes and mutations interleave, as in real traffic.
  for (let i = cases.length - 1; i > 0; i--) {
    const j = rnd.int(0, i);
    [cases[i], cases[j]] = [cases[j], cases[i]];
  }
  return cases.map((c, id) => ({ ...c, id }) as FuzzCase);
}

/** Routes × mutations covered, for the report. */
export function coverage(cases: readonly FuzzCase[]): { routes: number; mutations: number; pairs: number; byFamily: Record<string, number> } {
  const mutationName = (c: FuzzCase) => c.mutation.replace(/ \[.*\]$/, '');
  const byFamily: Record<string, number> = {};
  for (const c of cases) byFamily[c.family] = (byFamily[c.family] ?? 0) + 1;
  return {
    routes: new Set(cases.map((c) => c.route)).size,
    mutations: new Set(cases.map(mutationName)).size,
    pairs: new Set(cases.map((c) => `${c.route}|${mutationName(c)}`)).size,
    byFamily,
  };
}
