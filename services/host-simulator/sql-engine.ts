/**
 * Real SQL over the simulated tables, cheap enough for 10,000 hosts: one sql.js (SQLite in
 * WebAssembly) database per platform holds the template rows; a host's own values enter through
 * the SQL function `host_value(key)`, which reads the facts of the host whose query is running
 * (queries run synchronously, one at a time).
 *
 * Results are cached per (platform, SQL) when that is safe: the query names no host-dependent
 * column and no volatile table or function, so host values can only pass through unchanged. Such a
 * query runs once with placeholder tokens in place of host values, and each host gets the cached
 * rows with its own values substituted. Any other query runs against the database for each host.
 */
import initSqlJs, { type Database, type SqlValue, type Statement } from 'sql.js';
import type { Platform } from './platforms';
import { PLATFORMS } from './platforms';
import { hostDependentColumns, tablesFor, type Cell, type HostFactKey, type SimulatedFlags, type TableSpec } from './simulated-tables';

export type Row = Record<string, string>;
export type HostFacts = Record<HostFactKey, string | number>;
export type QueryResult = { ok: true; columns: string[]; rows: Row[] } | { ok: false; message: string };

export interface ScheduleEntry {
  name: string;
  query: string;
  interval: number;
}

export interface SqlEngineStats {
  executions: number;
  cacheHits: number;
  cacheMisses: number;
}

const TOKEN_MARK = '\u0007';
const TOKEN_PATTERN = /\u0007([a-z_]+)\u0007/g;
const MAX_ROWS = 100_000;
/** Names that make a query's result depend on more than pass-through host values. */
const VOLATILE_WORDS = ['random', 'randomblob', 'now', 'current_timestamp', 'current_date', 'current_time', 'changes', 'total_changes', 'last_insert_rowid', 'host_value', 'host_subst'];

const tokenFor = (key: string) => `${TOKEN_MARK}${key}${TOKEN_MARK}`;

interface TemplateRow {
  row: Row;
  /** Whether any cell carries a host token (else `row` is shared as it is). */
  templated: boolean;
}
type CachedResult = { ok: true; columns: string[]; rows: TemplateRow[] } | { ok: false; message: string };

class LruMap<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly capacity: number, private readonly onEvict?: (value: V) => void) {}
  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value as K;
      const evicted = this.map.get(oldest)!;
      this.map.delete(oldest);
      this.onEvict?.(evicted);
    }
  }
  clear(): void {
    for (const value of this.map.values()) this.onEvict?.(value);
    this.map.clear();
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function storedCell(cell: Cell | undefined): SqlValue {
  if (cell === undefined) return '';
  if (cell !== null && typeof cell === 'object') return tokenFor(cell.host);
  return cell;
}

function stringValue(value: SqlValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return Buffer.from(value).toString('utf8');
}

class PlatformDatabase {
  /** The facts of the host whose query is running, or tokens while filling the cache. */
  current: Record<string, string | number> = {};
  private readonly statements: LruMap<string, Statement>;
  private readonly results: LruMap<string, CachedResult>;

  constructor(
    readonly db: Database,
    private readonly uncacheableWords: Set<string>,
    private readonly hostColumns: Map<string, Set<string>>,
    cacheSize: number,
  ) {
    this.statements = new LruMap(cacheSize, (statement) => statement.free());
    this.results = new LruMap(cacheSize);
  }

  /**
   * Safe to cache when the SQL names no volatile table or function, and names no host-dependent
   * column together with a table where that column is host-dependent.
   */
  isCacheable(sql: string): boolean {
    const words = new Set<string>();
    for (const match of sql.toLowerCase().matchAll(/[a-z_][a-z0-9_]*/g)) {
      if (this.uncacheableWords.has(match[0])) return false;
      words.add(match[0]);
    }
    for (const word of words) {
      const tables = this.hostColumns.get(word);
      if (tables) for (const table of tables) if (words.has(table)) return false;
    }
    return true;
  }

  execute(sql: string): QueryResult {
    let statement = this.statements.get(sql);
    try {
      if (!statement) {
        statement = this.db.prepare(sql);
        this.statements.set(sql, statement);
      }
      const columns = statement.getColumnNames();
      const rows: Row[] = [];
      while (statement.step()) {
        const values = statement.get();
        const row: Row = {};
        for (let i = 0; i < columns.length; i++) row[columns[i]] = stringValue(values[i]);
        rows.push(row);
        if (rows.length >= MAX_ROWS) break;
      }
      return { ok: true, columns, rows };
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    } finally {
      try {
        statement?.reset();
      } catch {
        // a statement that failed to prepare has nothing to reset
      }
    }
  }

  cached(sql: string, tokens: Record<string, string>): CachedResult {
    let result = this.results.get(sql);
    if (!result) {
      this.current = tokens;
      const raw = this.execute(sql);
      result = raw.ok
        ? { ok: true, columns: raw.columns, rows: raw.rows.map((row) => ({ row, templated: Object.values(row).some((value) => value.includes(TOKEN_MARK)) })) }
        : raw;
      this.results.set(sql, result);
    }
    return result;
  }

  clearResults(): void {
    this.results.clear();
  }
}

export class SqlEngine {
  readonly stats: SqlEngineStats = { executions: 0, cacheHits: 0, cacheMisses: 0 };
  private readonly tokens: Record<string, string> = {};
  private readonly schedules = new Set<string>();

  private constructor(private readonly databases: Map<Platform, PlatformDatabase>) {}

  static async create(flags: SimulatedFlags, options: { cacheSize?: number } = {}): Promise<SqlEngine> {
    const SQL = await initSqlJs();
    const databases = new Map<Platform, PlatformDatabase>();
    for (const platform of PLATFORMS) {
      const tables = tablesFor(platform, flags);
      const uncacheable = new Set([...VOLATILE_WORDS, ...tables.filter((table) => table.volatile).map((table) => table.name)]);
      const database = new PlatformDatabase(new SQL.Database(), uncacheable, hostDependentColumns(tables), options.cacheSize ?? 500);
      database.db.create_function('host_value', (key: string) => database.current[key] ?? null);
      database.db.create_function('host_subst', (value: SqlValue) =>
        typeof value === 'string' && value.charCodeAt(0) === 7 ? database.current[value.slice(1, -1)] ?? null : value,
      );
      for (const table of tables) createTable(database.db, table);
      database.db.run('CREATE TABLE __schedule (config_id TEXT, name TEXT, query TEXT, interval INTEGER)');
      database.db.run('PRAGMA query_only = 1');
      databases.set(platform, database);
    }
    const engine = new SqlEngine(databases);
    for (const key of ['hostname', 'computer_name', 'local_hostname', 'uuid', 'instance_id', 'hardware_serial', 'board_serial', 'hardware_model', 'physical_memory', 'ip', 'mac', 'boot_time', 'osquery_start_time', 'now', 'config_id']) {
      engine.tokens[key] = tokenFor(key);
    }
    return engine;
  }

  /** Runs `sql` as the host with these facts would; values are strings, as osquery returns them. */
  query(platform: Platform, facts: HostFacts, sql: string): QueryResult {
    const database = this.databases.get(platform)!;
    this.stats.executions++;
    if (database.isCacheable(sql)) {
      const cached = database.cached(sql, this.tokens);
      if (!cached.ok) return cached;
      this.stats.cacheHits++;
      return { ok: true, columns: cached.columns, rows: cached.rows.map((template) => (template.templated ? substitute(template.row, facts) : template.row)) };
    }
    this.stats.cacheMisses++;
    database.current = facts;
    return database.execute(sql);
  }

  /** Makes osquery_schedule show these entries to hosts whose config_id fact is `configId`. */
  registerSchedule(configId: string, entries: ScheduleEntry[]): void {
    if (this.schedules.has(configId)) return;
    this.schedules.add(configId);
    for (const database of this.databases.values()) {
      database.db.run('PRAGMA query_only = 0');
      try {
        const insert = database.db.prepare('INSERT INTO __schedule VALUES (?, ?, ?, ?)');
        for (const entry of entries) insert.run([configId, entry.name, entry.query, entry.interval]);
        insert.free();
      } finally {
        database.db.run('PRAGMA query_only = 1');
      }
    }
  }

  close(): void {
    for (const database of this.databases.values()) {
      database.clearResults();
      database.db.close();
    }
  }
}

function substitute(row: Row, facts: HostFacts): Row {
  const out: Row = {};
  for (const column in row) {
    const value = row[column];
    out[column] = value.includes(TOKEN_MARK) ? value.replace(TOKEN_PATTERN, (_match, key: string) => String(facts[key as HostFactKey] ?? '')) : value;
  }
  return out;
}

function createTable(db: Database, table: TableSpec): void {
  const columnList = table.columns.map(([name]) => quoteIdentifier(name)).join(', ');
  if (table.select) {
    db.run(`CREATE VIEW ${quoteIdentifier(table.name)} (${columnList}) AS ${table.select}`);
    return;
  }
  const rows = table.rows ?? [];
  const hostColumns = new Set<string>();
  for (const row of rows) for (const [column, cell] of Object.entries(row)) if (cell !== null && typeof cell === 'object') hostColumns.add(column);
  const storage = hostColumns.size > 0 ? `__t_${table.name}` : table.name;
  db.run(`CREATE TABLE ${quoteIdentifier(storage)} (${table.columns.map(([name, type]) => `${quoteIdentifier(name)} ${type}`).join(', ')})`);
  if (rows.length > 0) {
    const insert = db.prepare(`INSERT INTO ${quoteIdentifier(storage)} VALUES (${table.columns.map(() => '?').join(', ')})`);
    for (const row of rows) insert.run(table.columns.map(([name]) => storedCell(row[name])));
    insert.free();
  }
  if (hostColumns.size > 0) {
    const projection = table.columns
      .map(([name]) => (hostColumns.has(name) ? `host_subst(${quoteIdentifier(name)}) AS ${quoteIdentifier(name)}` : quoteIdentifier(name)))
      .join(', ');
    db.run(`CREATE VIEW ${quoteIdentifier(table.name)} AS SELECT ${projection} FROM ${quoteIdentifier(storage)}`);
  }
}
