/**
 * Specs as fleetctl writes them: YAML documents `{apiVersion: v1, kind, spec}`, one per spec,
 * separated by `---`. Parsing a text gives the specs to apply, or the first problem in words
 * (a YAML syntax error with its line, a document of another kind, a spec that is not an object).
 */
import { parseAllDocuments, stringify } from 'yaml';

export const KIND_OF_PLURAL: Record<string, string> = { queries: 'query', packs: 'pack', labels: 'label', policies: 'policy', teams: 'team', enroll_secret: 'enroll_secret' };

export function specAsYaml(plural: string, spec: unknown): string {
  return stringify({ apiVersion: 'v1', kind: KIND_OF_PLURAL[plural], spec }, { lineWidth: 0 });
}

export type Parsed = { ok: true; specs: Array<Record<string, unknown>> } | { ok: false; problem: string };

export function parseSpecs(plural: string, text: string): Parsed {
  const kind = KIND_OF_PLURAL[plural];
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  const specs: Array<Record<string, unknown>> = [];
  for (const [index, doc] of list.entries()) {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0]?.line;
      return { ok: false, problem: `YAML does not parse${line ? ` (line ${line})` : ''}: ${error.message.split('\n')[0]}` };
    }
    const value = doc.toJS() as { kind?: unknown; spec?: unknown } | null;
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) return { ok: false, problem: `document ${index + 1}: expected apiVersion, kind and spec` };
    if (value.kind !== kind) return { ok: false, problem: `document ${index + 1}: kind is ${JSON.stringify(value.kind ?? null)}, this page applies kind "${kind}"` };
    if (typeof value.spec !== 'object' || value.spec === null || Array.isArray(value.spec)) return { ok: false, problem: `document ${index + 1}: spec must be a mapping` };
    specs.push(value.spec as Record<string, unknown>);
  }
  if (specs.length === 0) return { ok: false, problem: 'nothing to apply: the text holds no spec' };
  return { ok: true, specs };
}

/** Every leaf of a JSON value by its path (`queries[0].interval`), for the field diff. */
export function flatten(value: unknown, prefix = '', into = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v] as const) : Object.entries(value).map(([k, v]) => [prefix ? `.${k}` : k, v] as const);
    if (entries.length === 0) into.set(prefix || '(spec)', Array.isArray(value) ? '[]' : '{}');
    for (const [key, child] of entries) flatten(child, `${prefix}${key}`, into);
  } else {
    into.set(prefix || '(spec)', JSON.stringify(value));
  }
  return into;
}
