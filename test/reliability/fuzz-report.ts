/** The failing cases as a compact table, grouped so that a developer sees what to fix. */
import type { FuzzCase, Outcome } from './fuzz-case';

export interface Failure {
  c: FuzzCase;
  outcome: Outcome;
  reason: string;
}

const clip = (text: string, max: number) => {
  const flat = text.replace(/[\r\n\t]+/g, ' ').replace(/[^\x20-\x7e]/g, '?');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};
const mutationName = (c: FuzzCase) => c.mutation.replace(/ \[.*\]$/, '');

/**
 * Groups by mutation and reason (one fix usually clears a group), listing how many routes it
 * hit; one example per group.
 */
export function groupFailures(failures: readonly Failure[]): Array<{ key: string; count: number; routes: Set<string>; example: Failure }> {
  const groups = new Map<string, { key: string; count: number; routes: Set<string>; example: Failure }>();
  for (const failure of failures) {
    const key = `${mutationName(failure.c)} | ${failure.reason}`;
    const group = groups.get(key) ?? { key, count: 0, routes: new Set<string>(), example: failure };
    group.count++;
    group.routes.add(failure.c.route);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

export function failureTable(failures: readonly Failure[], maxGroups = 200): string {
  const groups = groupFailures(failures);
  const lines = [`${failures.length} failing requests in ${groups.length} groups (by mutation and reason):`];
  lines.push(['count', 'routes', 'mutation', 'status', 'example method path', 'body (first 200 chars)'].join(' | '));
  for (const { count, routes, example } of groups.slice(0, maxGroups)) {
    const { c, outcome, reason } = example;
    lines.push([String(count).padStart(5), String(routes.size).padStart(3), clip(mutationName(c), 44), clip(reason, 32), `${c.method} ${clip(c.path, 70)}`, clip(outcome.body || outcome.error || '', 200)].join(' | '));
  }
  if (groups.length > maxGroups) lines.push(`… and ${groups.length - maxGroups} more groups`);
  // By reason and by mutation: which fixes would clear most of the table.
  const by = (keyOf: (f: Failure) => string) => {
    const counts = new Map<string, number>();
    for (const f of failures) counts.set(keyOf(f), (counts.get(keyOf(f)) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([key, n]) => `  ${String(n).padStart(5)}  ${key}`);
  };
  lines.push('by reason:', ...by((f) => f.reason));
  lines.push('by route:', ...by((f) => f.c.route).slice(0, 80));
  return lines.join('\n');
}
