/**
 * One simulated osqueryd: enrolls, fetches its config, checks in for distributed queries, runs its
 * scheduled queries and flushes its logs, each loop on the shared scheduler, the way osqueryd's
 * threads do. Everything it needs from outside comes through the shared `HostContext`.
 */
import type { DistributedReadEvent, HostContext, HostSummary } from './host-context';
import { factsAtStart, type HostIdentity } from './host-identity';
import { OSQUERY_ENDPOINTS, type OsqueryResponse } from './osquery-client';
import { appliesToHost, optionSeconds, parseOsqueryConfig, type OsqueryConfig } from './osquery-config';
import { PLATFORM_TYPE } from './platforms';
import { LogBuffer } from './log-buffer';
import { SEVERITY, snapshotLine, statusLine, type ResultContext } from './result-log';
import type { ScheduledTask } from './scheduler';
import { differentialLines, nextMultiple, scheduleStateFor, type ScheduleState } from './scheduled-results';
import { OSQUERY_VERSION } from './simulated-tables';
import { SeededRandom } from './seeded-random';
import { answerDistributedQueries } from './distributed-answers';
import type { HostFacts, QueryResult, Row } from './sql-engine';


/** Most undelivered log lines of one kind a host keeps (osquery's buffered_log_max purges too). */
const MAX_BUFFERED_LINES = 5000;

export class SimulatedHost {
  readonly hostIdentifier: string;
  readonly summary: HostSummary;
  private nodeKeyValue: string | null = null;
  private enrolling: Promise<void> | null = null;
  private config: OsqueryConfig | null = null;
  private schedule: ScheduleState[] = [];
  private scheduleTask: ScheduledTask | null = null;
  private loadDecorations: Record<string, string> = {};
  private readonly logs = new LogBuffer(MAX_BUFFERED_LINES);
  private accelerateUntilUnix = 0;
  private readonly random: SeededRandom;
  private readonly facts: HostFacts;
  private readonly tasks = new Set<ScheduledTask>();

  constructor(readonly identity: HostIdentity, private readonly context: HostContext, startedAtUnix: number) {
    const kind = context.options.hostIdentifier;
    this.hostIdentifier = kind === 'hostname' ? identity.hostname : kind === 'instance' ? identity.instanceId : identity.uuid;
    this.summary = { index: identity.index, platform: identity.platform, hostIdentifier: this.hostIdentifier, uuid: identity.uuid, hostname: identity.hostname };
    this.random = new SeededRandom(context.options.seed, 'behaviour', identity.index);
    this.facts = factsAtStart(identity, startedAtUnix);
  }

  get nodeKey(): string | null {
    return this.nodeKeyValue;
  }

  get enrolled(): boolean {
    return this.nodeKeyValue !== null;
  }

  /** Runs SQL as this host (what osqueryd's SQL layer would answer). */
  query(sql: string): QueryResult {
    if (this.context.isStopped()) return { ok: false, message: 'the simulator is stopping' };
    this.facts.now = Math.floor(Date.now() / 1000);
    return this.context.engine.query(this.identity.platform, this.facts, sql);
  }

  /** Enrolls (retrying with back-off until it succeeds or the simulator stops). */
  async enroll(): Promise<void> {
    if (this.context.options.statusLogs) this.status(SEVERITY.info, 'init.cpp', 447, `osqueryd started [version=${OSQUERY_VERSION}]`);
    for (let attempt = 1; !this.context.isStopped(); attempt++) {
      try {
        await this.requestNodeKey(false);
        return;
      } catch {
        this.context.counters.enrollFailures++;
        await this.sleep(Math.min(30_000, 1000 * attempt * attempt));
      }
    }
  }

  /** After enrollment: fetch the config, then start the check-in, log and refresh loops. */
  async begin(): Promise<void> {
    await this.refreshConfig();
    this.every(() => this.distributedIntervalSec(), () => this.checkIn(), this.random.next() * this.distributedIntervalSec() * 1000);
    this.every(() => this.loggerPeriodSec(), () => this.flushLogs(), this.random.next() * this.loggerPeriodSec() * 1000);
    this.every(() => this.configRefreshSec(), () => this.refreshConfig(), this.configRefreshSec() * 1000);
  }

  stop(): void {
    for (const task of this.tasks) this.context.scheduler.cancel(task);
    this.tasks.clear();
    this.context.scheduler.cancel(this.scheduleTask);
  }

  // ---- enrollment and requests ----

  private async requestNodeKey(reenroll: boolean): Promise<void> {
    const hostDetails: Record<string, Row> = {};
    for (const table of ['os_version', 'osquery_info', 'system_info', 'platform_info']) {
      const result = this.query(`SELECT * FROM ${table}`);
      if (result.ok && result.rows.length > 0) hostDetails[table] = result.rows[0];
    }
    const response = await this.context.client.post(OSQUERY_ENDPOINTS.enroll, {
      enroll_secret: this.context.options.enrollSecret,
      host_identifier: this.hostIdentifier,
      platform_type: String(PLATFORM_TYPE[this.identity.platform]),
      host_details: hostDetails,
    });
    const nodeKey = response.body?.node_key ?? response.body?.id;
    if (response.status !== 200 || typeof nodeKey !== 'string' || nodeKey === '') {
      throw new Error(`enroll failed with HTTP ${response.status}: ${JSON.stringify(response.body)?.slice(0, 200)}`);
    }
    this.nodeKeyValue = nodeKey;
    this.context.counters.enrollments++;
    if (reenroll) this.context.counters.reenrollments++;
    this.context.options.hooks.onEnroll?.({ host: this.summary, nodeKey, reenroll });
  }

  private reenroll(): Promise<void> {
    if (!this.enrolling) {
      this.nodeKeyValue = null;
      this.enrolling = (async () => {
        for (let attempt = 1; !this.context.isStopped(); attempt++) {
          try {
            await this.requestNodeKey(true);
            return;
          } catch {
            this.context.counters.enrollFailures++;
            await this.sleep(Math.min(30_000, 1000 * attempt * attempt));
          }
        }
      })().finally(() => (this.enrolling = null));
    }
    return this.enrolling;
  }

  /**
   * POSTs with this host's node key. An answer with `node_invalid: true` makes the host enroll
   * again (same host identifier) and send the request once more with the new key.
   */
  private async request(path: string, body: Record<string, unknown>, onSend?: (nodeKey: string) => void): Promise<OsqueryResponse | null> {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (this.enrolling) await this.enrolling;
      const nodeKey = this.nodeKeyValue;
      if (nodeKey === null || this.context.isStopped()) return null;
      let response: OsqueryResponse;
      try {
        response = await this.context.client.post(path, { node_key: nodeKey, ...body }, onSend ? () => onSend(nodeKey) : undefined);
      } catch {
        this.context.counters.httpErrors++;
        return null;
      }
      if (response.body?.node_invalid === true) {
        if (attempt === 0 && !this.context.isStopped()) {
          // Only the first request to find the key invalid drops it; the others wait for the new one.
          if (this.nodeKeyValue === nodeKey) await this.reenroll();
          else if (this.enrolling) await this.enrolling;
          continue;
        }
        this.context.counters.httpErrors++;
        return null;
      }
      if (response.status < 200 || response.status >= 300) {
        this.context.counters.httpErrors++;
        return null;
      }
      return response;
    }
    return null;
  }

  // ---- loops ----

  private every(intervalSec: () => number, work: () => Promise<void>, firstDelayMs: number): void {
    const run = () => {
      this.tasks.delete(task);
      void work()
        .catch(() => this.context.counters.httpErrors++)
        .finally(() => {
          if (!this.context.isStopped()) {
            task = this.context.scheduler.schedule(this.jittered(intervalSec() * 1000), run);
            this.tasks.add(task);
          }
        });
    };
    let task = this.context.scheduler.schedule(firstDelayMs, run);
    this.tasks.add(task);
  }

  private jittered(ms: number): number {
    const jitter = this.context.options.jitter;
    return jitter > 0 ? ms * (1 + jitter * (2 * this.random.next() - 1)) : ms;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const task = this.context.scheduler.schedule(ms, () => {
        this.tasks.delete(task);
        resolve();
      });
      this.tasks.add(task);
      // A stopped scheduler drops its tasks: resolve those sleeps too.
      if (task.cancelled) resolve();
    });
  }

  private option(name: 'distributed_interval' | 'logger_tls_period' | 'config_refresh', fallback: number): number {
    if (!this.context.options.honorConfigOptions || !this.config) return fallback;
    const names = name === 'config_refresh' ? ['config_refresh', 'config_tls_refresh'] : [name];
    return optionSeconds(this.config.options, ...names) ?? fallback;
  }

  private distributedIntervalSec(): number {
    if (Date.now() / 1000 <= this.accelerateUntilUnix) return this.context.options.accelerateIntervalSec;
    return this.option('distributed_interval', this.context.options.distributedIntervalSec);
  }

  private loggerPeriodSec(): number {
    return this.option('logger_tls_period', this.context.options.loggerTlsPeriodSec);
  }

  private configRefreshSec(): number {
    return this.option('config_refresh', this.context.options.configRefreshSec);
  }

  // ---- config ----

  private async refreshConfig(): Promise<void> {
    const response = await this.request(OSQUERY_ENDPOINTS.config, {});
    if (!response || response.body === null || typeof response.body !== 'object') return;
    this.context.counters.configFetches++;
    const text = JSON.stringify(response.body);
    if (this.config && this.config.id && this.context.configs.get(text) === this.config) return;
    let config = this.context.configs.get(text);
    if (!config) {
      try {
        config = parseOsqueryConfig(text);
      } catch {
        return;
      }
      if (this.context.configs.size > 1000) this.context.configs.clear();
      this.context.configs.set(text, config);
    }
    this.applyConfig(config);
  }

  private applyConfig(config: OsqueryConfig): void {
    this.config = config;
    this.context.engine.registerSchedule(config.id, config.schedule.map(({ name, query, interval }) => ({ name, query, interval })));
    this.facts.config_id = config.id;
    this.loadDecorations = this.decorations([...config.decorators.load, ...Object.values(config.decorators.interval).flat()]);

    const packAllowed = new Map<string, boolean>();
    for (const [name, pack] of Object.entries(config.packs)) {
      const allowed =
        appliesToHost(pack, this.identity.platform, this.identity.hostname) &&
        pack.discovery.every((sql) => {
          const result = this.query(sql);
          return result.ok && result.rows.length > 0;
        });
      packAllowed.set(name, allowed);
    }
    const previous = new Map(this.schedule.map((state) => [state.query.name, state]));
    const nowUnix = Date.now() / 1000;
    this.schedule = config.schedule
      .filter((query) => (query.pack === undefined || packAllowed.get(query.pack)) && appliesToHost(query, this.identity.platform, this.identity.hostname))
      .map((query) => scheduleStateFor(query, previous.get(query.name), this.random, nowUnix));
    this.armSchedule();
  }

  private decorations(queries: string[]): Record<string, string> {
    const decorations: Record<string, string> = {};
    for (const sql of queries) {
      const result = this.query(sql);
      if (result.ok && result.rows.length > 0) Object.assign(decorations, result.rows[0]);
    }
    return decorations;
  }

  private currentDecorations(): Record<string, string> {
    const always = this.config?.decorators.always ?? [];
    return always.length > 0 ? { ...this.loadDecorations, ...this.decorations(always) } : this.loadDecorations;
  }

  // ---- scheduled queries and result logs ----

  private armSchedule(): void {
    this.context.scheduler.cancel(this.scheduleTask);
    this.scheduleTask = null;
    if (this.schedule.length === 0 || this.context.isStopped()) return;
    const next = Math.min(...this.schedule.map((state) => state.nextDueUnix));
    this.scheduleTask = this.context.scheduler.schedule(next * 1000 - Date.now(), () => this.runDueQueries());
  }

  private runDueQueries(): void {
    const nowUnix = Date.now() / 1000;
    for (const state of this.schedule) {
      if (state.nextDueUnix > nowUnix + 0.001) continue;
      state.nextDueUnix = nextMultiple(nowUnix + 0.5, state.splayedInterval);
      this.runScheduled(state);
    }
    this.armSchedule();
  }

  private runScheduled(state: ScheduleState): void {
    this.context.counters.scheduledRuns++;
    const result = this.query(state.query.query);
    if (!result.ok) {
      if (this.context.options.statusLogs) {
        this.status(SEVERITY.error, 'scheduler.cpp', 83, `Error executing scheduled query ${state.query.name}: ${result.message}`);
      }
      return;
    }
    const unixTime = Math.floor(Date.now() / 1000);
    const context: ResultContext = { name: state.query.name, hostIdentifier: this.hostIdentifier, unixTime, epoch: 0, counter: 0, decorations: this.currentDecorations() };
    if (state.query.snapshot) {
      this.logs.push('result', [snapshotLine(context, result.rows)]);
      return;
    }
    const events = this.config?.options.log_result_events;
    this.logs.push('result', differentialLines(state, result.rows, context, !(events === false || events === 'false')));
  }

  private status(severity: number, filename: string, line: number, message: string): void {
    this.logs.push('status', [statusLine(this.hostIdentifier, Math.floor(Date.now() / 1000), severity, filename, line, message, this.loadDecorations)]);
  }

  private async flushLogs(): Promise<void> {
    for (const logType of ['result', 'status'] as const) {
      const batch = this.logs.batch(logType, this.context.options.loggerTlsMaxLines);
      if (batch.length === 0) continue;
      const response = await this.request(OSQUERY_ENDPOINTS.log, { log_type: logType, data: batch });
      if (!response) continue;
      this.context.counters.logPosts++;
      if (logType === 'result') this.context.counters.resultLogLines += batch.length;
      else this.context.counters.statusLogLines += batch.length;
      this.logs.acknowledge(logType, batch);
    }
  }

  // ---- distributed queries ----

  private async checkIn(): Promise<void> {
    const response = await this.request(OSQUERY_ENDPOINTS.distributedRead, {});
    this.context.counters.checkIns++;
    const work = response?.body;
    if (!work || typeof work !== 'object') return;
    const queries = isStringRecord(work.queries) ? work.queries : null;
    const discovery = isStringRecord(work.discovery) ? work.discovery : null;
    if ((work.queries !== undefined && !queries) || (work.discovery !== undefined && !discovery)) return; // osqueryd rejects the whole answer
    if (queries && Object.keys(queries).length > 0) {
      this.context.options.hooks.onDistributedRead?.({
        host: this.summary,
        receivedAtEpochMs: performance.timeOrigin + performance.now(),
        queries,
        discovery: discovery ?? {},
        accelerate: Number.isInteger(work.accelerate) ? work.accelerate : undefined,
      });
    }

    // Discovery first: an empty discovery result drops its query; a failing one drops them all.
    const discovered = new Map<string, boolean>();
    for (const [name, sql] of Object.entries<string>(discovery ?? {})) {
      if (name === '' || sql === '') return;
      const result = this.query(sql);
      if (!result.ok) return;
      discovered.set(name, result.rows.length > 0);
    }
    if (Number.isInteger(work.accelerate)) {
      this.accelerateUntilUnix = Math.floor(Date.now() / 1000) + work.accelerate;
      if (this.context.options.statusLogs) this.status(SEVERITY.info, 'distributed.cpp', 303, `Accelerating distributed query checkins for ${work.accelerate} seconds`);
    }
    if (!queries) return;
    const names = Object.keys(queries).filter((name) => {
      if (discovered.get(name) === false) {
        this.context.counters.discoverySkipped++;
        return false;
      }
      return true;
    });
    if (names.some((name) => name === '' || queries[name] === '')) return;
    if (names.length === 0) return;

    const options = this.context.options;
    const { body, rowCounts } = answerDistributedQueries(names, queries, (sql) => this.query(sql), this.random, options, this.context.counters);
    const written = await this.request(OSQUERY_ENDPOINTS.distributedWrite, body, (nodeKey) =>
      options.hooks.onDistributedWrite?.({
        host: this.summary,
        nodeKey,
        sentAtEpochMs: performance.timeOrigin + performance.now(),
        sentAtMonotonicMs: performance.now(),
        queryNames: names,
        statuses: body.statuses,
        rowCounts,
      }),
    );
    if (written) this.context.counters.distributedWrites++;
  }
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value as object).every((item) => typeof item === 'string');
}
