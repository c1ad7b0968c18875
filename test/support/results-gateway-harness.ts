/**
 * A results gateway on loopback for tests: its own embedded read store (in a temp dir unless
 * one is given, so a restart can reuse it), a results bus (in-process unless one is given), and
 * helpers to write campaigns and users into the read models and produce hosts' results.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createInProcessResultsBus } from '../../shared/adapters/results-bus/in-process-results-bus';
import { openLmdbReadStore } from '../../shared/adapters/read-store/lmdb-read-store';
import { createSocketGuards } from '../../shared/auth/socket-guards';
import { tokenHash } from '../../shared/auth/tokens';
import { CAMPAIGN_RESULTS_TOPIC, campaignResultMessage, type CampaignResultMessage } from '../../shared/campaigns/campaign-results-topic';
import { loadConfig, type GatewayConfig } from '../../shared/config/config';
import type { GlobalRole } from '../../shared/domain/users/roles';
import { listen, type Listening } from '../../shared/http/listen';
import { createMetrics, type Metrics } from '../../shared/observability/metrics';
import type { ReadStore } from '../../shared/ports/read-store';
import type { OutgoingMessage, ResultsBus } from '../../shared/ports/results-bus';
import {
  CAMPAIGNS,
  SESSIONS,
  USERS,
  type CampaignDoc,
  type SessionDoc,
  type UserDoc,
} from '../../shared/read-models/read-model-types';
import { ReadModels } from '../../shared/read-models/read-models';
import { startResultsGateway, type ResultsGateway } from '../../services/results-gateway';
import { onSuiteEnd } from './teardown';
import type { WatcherClient } from './watcher-clients';

export function newGatewayDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'logbook-gateway-test-'));
  onSuiteEnd(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface GatewayHarness {
  url: string;
  wsUrl: string;
  readStore: ReadStore;
  readModels: ReadModels;
  bus: ResultsBus;
  gateway: ResultsGateway;
  http: Listening;
  metrics: Metrics;
  /** Stops the gateway and its HTTP server; closes the read store and the bus if the harness made them. */
  close(): Promise<void>;
}

let instances = 0;

export async function startGatewayHarness(
  options: { dataDir?: string; readStore?: ReadStore; bus?: ResultsBus; config?: Partial<GatewayConfig> } = {},
): Promise<GatewayHarness> {
  const ownStore = options.readStore === undefined;
  const readStore = options.readStore ?? (await openLmdbReadStore(options.dataDir ?? newGatewayDataDir()));
  const readModels = new ReadModels(readStore);
  await readModels.init();
  const ownBus = options.bus === undefined;
  const bus = options.bus ?? createInProcessResultsBus();
  const http = await listen((_req, res) => res.writeHead(404).end(), 0, '127.0.0.1');
  const defaults = loadConfig({});
  const metrics = createMetrics();
  const gateway = await startResultsGateway({
    gatewayConfig: { ...defaults.gateway, instanceId: `test-gateway-${process.pid}-${++instances}`, ...options.config },
    guards: createSocketGuards(defaults.sockets),
    readModels,
    resultsBus: bus,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    metrics,
    server: http.server,
  });
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${http.port}`,
    wsUrl: `ws://127.0.0.1:${http.port}`,
    readStore,
    readModels,
    bus,
    gateway,
    http,
    metrics,
    close() {
      closed ??= (async () => {
        await gateway.close();
        await http.close();
        if (ownBus) await bus.close();
        if (ownStore) await readStore.close();
      })();
      return closed;
    },
  };
}

/** Writes a user and a session into the read models; returns the session's bearer token. */
export async function givenUser(readModels: ReadModels, id: number, role: GlobalRole): Promise<string> {
  const now = new Date().toISOString();
  const user: UserDoc = { id, name: `User ${id}`, email: `user${id}@example.com`, global_role: role, created_at: now, updated_at: now };
  await readModels.collection<UserDoc>(USERS).put(String(id), user);
  const token = `token-of-user-${id}-${Math.random().toString(36).slice(2)}`;
  const session: SessionDoc = { user_id: id, expires_at: new Date(Date.now() + 3_600_000).toISOString() };
  await readModels.collection<SessionDoc>(SESSIONS).put(tokenHash(token), session);
  return token;
}

export function campaignDoc(id: number, fields: Partial<CampaignDoc> = {}): CampaignDoc {
  const targets = fields.target_host_ids ?? [1, 2, 3];
  const now = new Date().toISOString();
  return {
    id,
    query: 'SELECT * FROM osquery_info',
    query_id: null,
    user_id: 1,
    status: 'running',
    target_host_ids: targets,
    totals: { count: targets.length, online: targets.length, offline: 0, missing_in_action: 0 },
    created_at: now,
    updated_at: now,
    ...fields,
  };
}

export async function givenCampaign(readModels: ReadModels, doc: CampaignDoc): Promise<CampaignDoc> {
  await readModels.collection<CampaignDoc>(CAMPAIGNS).put(String(doc.id), doc);
  return doc;
}

export function hostResult(campaignId: number, hostId: number, rows: Array<Record<string, string>> = [{ host: String(hostId) }], error: string | null = null): CampaignResultMessage {
  return {
    campaign_id: campaignId,
    host: { id: hostId, hostname: `host-${hostId}.example.com`, display_name: `host-${hostId}` },
    rows,
    error,
    answered_at: new Date().toISOString(),
  };
}

/**
 * Produces answers as the agent API does (envelope header, rows' text as the value), or in the
 * first format (`'whole'`: the answer as one JSON value) as older messages in a topic are.
 * A string is produced as the raw value of a message of the first format.
 */
export async function produceResults(bus: ResultsBus, results: Array<CampaignResultMessage | string>, format: 'envelope' | 'whole' = 'envelope'): Promise<void> {
  await bus.produce(CAMPAIGN_RESULTS_TOPIC, results.map((result) => answerMessage(result, format)));
}

export function answerMessage(result: CampaignResultMessage | string, format: 'envelope' | 'whole' = 'envelope'): OutgoingMessage {
  if (typeof result === 'string') return { key: '0', value: result };
  if (format === 'whole') return { key: String(result.campaign_id), value: JSON.stringify(result) };
  const { rows, ...envelope } = result;
  return campaignResultMessage(envelope, JSON.stringify(rows));
}

/** A gateway harness started before each test of the calling describe, with an admin, and closed (with its watchers) after it. */
export interface GatewayPerTest {
  harness: GatewayHarness;
  adminToken: string;
  /** Every watcher `watch` was given in this test, in order. */
  readonly clients: WatcherClient[];
  /** Authenticates `client` (as the admin unless told) and selects the campaign. */
  watch(client: WatcherClient, campaignId: number, token?: string): Promise<WatcherClient>;
}

export function gatewayPerTest(): GatewayPerTest {
  const fixture: GatewayPerTest = {
    harness: undefined as unknown as GatewayHarness,
    adminToken: '',
    clients: [],
    async watch(client, campaignId, token = fixture.adminToken) {
      fixture.clients.push(client);
      client.send('auth', { token });
      client.send('select_campaign', { campaign_id: campaignId });
      return client;
    },
  };
  beforeEach(async function () {
    fixture.harness = await startGatewayHarness();
    fixture.adminToken = await givenUser(fixture.harness.readModels, 1, 'admin');
  });
  afterEach(async function () {
    for (const client of fixture.clients.splice(0)) client.close();
    await fixture.harness.close();
  });
  return fixture;
}

/** The whole numbers from `from` to `to`, both included (host ids, sequences). */
export const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
