/**
 * Chooses the adapters from the configuration: EventStoreDB when EVENTSTORE_URL is set, else the
 * embedded event store under DATA_DIR; MongoDB when MONGO_URL is set, else the embedded read
 * store under DATA_DIR; Kafka when KAFKA_BROKERS is set, else the in-process results bus.
 * The server adapters are loaded only when chosen: their client libraries (kafkajs,
 * @eventstore/db-client, mongodb) take about 0.3 s to load on an idle machine (several seconds on
 * a busy one) and hold memory that a process using the embedded stores does not need.
 */
import { startupPhase } from '../observability/startup-phases';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config';
import type { EventStore } from '../ports/event-store';
import type { ReadStore } from '../ports/read-store';
import type { ResultsBus } from '../ports/results-bus';
import { openJournaledInProcessResultsBus } from './results-bus/in-process-results-bus';
import type { KafkaLogRecord } from './results-bus/kafka-client-parts';
import { openLmdbEventStore } from './event-store/lmdb-event-store';
import { openLmdbReadStore } from './read-store/lmdb-read-store';
import { StorageHealth } from './storage/storage-health';
import { redactUrlCredentials } from '../config/parsers';
import { retryStartup, type RetryLog } from '../service/startup-retry';
import { watchResultsBus, type WatchedResultsBus } from './results-bus/watched-results-bus';

/** How long start-up retries a server that cannot be reached, and where it logs each try (none: one try). */
export interface StartupRetry {
  budgetMs: number;
  log: RetryLog;
}

const ONE_TRY: StartupRetry = { budgetMs: 0, log: { warn: () => undefined } };

/** The start-up retry of a service's configuration (STARTUP_RETRY_S). */
export function startupRetryOf(config: Pick<Config, 'operations'>, log: RetryLog): StartupRetry {
  return { budgetMs: config.operations.startupRetrySeconds * 1000, log };
}

export interface Stores {
  eventStore: EventStore;
  readStore: ReadStore;
  /** Whether the embedded stores can write (the servers' adapters do not report into it). */
  storageHealth: StorageHealth;
  /** What was chosen, for the start-up log line. */
  description: { eventStore: 'eventstoredb' | 'embedded'; readStore: 'mongodb' | 'embedded' };
}

export async function openEventStore(config: Pick<Config, 'eventStoreUrl' | 'dataDir'>, health?: StorageHealth, retry: StartupRetry = ONE_TRY): Promise<EventStore> {
  const url = config.eventStoreUrl;
  if (url) {
    // Loaded only when configured: an embedded process never pays for the client.
    const { connectEventStoreDb } = await import('./event-store/eventstoredb-event-store');
    return retryStartup({ what: 'EventStoreDB', variable: 'EVENTSTORE_URL', pointsAt: redactUrlCredentials(url) }, () => connectEventStoreDb(url), retry);
  }
  mkdirSync(config.dataDir, { recursive: true });
  return openLmdbEventStore(join(config.dataDir, 'events'), { health });
}

export async function openReadStore(config: Pick<Config, 'mongoUrl' | 'mongoDatabase' | 'dataDir'>, health?: StorageHealth, retry: StartupRetry = ONE_TRY): Promise<ReadStore> {
  const url = config.mongoUrl;
  if (url) {
    const { connectMongoReadStore } = await import('./read-store/mongo-read-store');
    return retryStartup({ what: 'MongoDB', variable: 'MONGO_URL', pointsAt: redactUrlCredentials(url) }, () => connectMongoReadStore(url, config.mongoDatabase), retry);
  }
  mkdirSync(config.dataDir, { recursive: true });
  return openLmdbReadStore(join(config.dataDir, 'read-models'), { health });
}

export async function openStores(config: Config, retry: StartupRetry = ONE_TRY): Promise<Stores> {
  const storageHealth = new StorageHealth();
  const eventStore = await openEventStore(config, storageHealth, retry);
  startupPhase('event store open');
  try {
    const readStore = await openReadStore(config, storageHealth, retry);
    return {
      eventStore,
      readStore,
      storageHealth,
      description: { eventStore: config.eventStoreUrl ? 'eventstoredb' : 'embedded', readStore: config.mongoUrl ? 'mongodb' : 'embedded' },
    };
  } catch (error) {
    await eventStore.close();
    throw error;
  }
}

/**
 * Kafka when KAFKA_BROKERS is set, else the in-process bus, journaled under
 * DATA_DIR/results-bus/<client id> (so what a produce acknowledged survives a kill -9, and its
 * consumers resume where they were) and keeping only the newest messages of each partition.
 * The directory is per client id: each service process has a bus of its own.
 */
export async function openResultsBus(
  config: Pick<Config, 'kafkaBrokers' | 'kafkaSecurity' | 'dataDir' | 'operations'> & Partial<Pick<Config, 'logLevel'>>,
  clientId: string,
  log?: (record: KafkaLogRecord) => void,
  /** The embedded stores' health (from openStores): the journal reports a full disk there too. */
  storageHealth?: StorageHealth,
  retry: StartupRetry = ONE_TRY,
): Promise<WatchedResultsBus> {
  return watchResultsBus(await openBareResultsBus(config, clientId, log, storageHealth, retry), { timeoutMs: config.operations.resultsBusTimeoutMs });
}

async function openBareResultsBus(
  config: Pick<Config, 'kafkaBrokers' | 'kafkaSecurity' | 'dataDir'> & Partial<Pick<Config, 'logLevel'>>,
  clientId: string,
  log: ((record: KafkaLogRecord) => void) | undefined,
  storageHealth: StorageHealth | undefined,
  retry: StartupRetry,
): Promise<ResultsBus> {
  const brokers = config.kafkaBrokers;
  if (brokers) {
    const [{ connectKafkaResultsBus }, { kafkaLogLevelFor }, { kafkaConnectionSecurity }] = await Promise.all([
      import('./results-bus/kafka-results-bus'),
      import('./results-bus/kafka-client-parts'),
      import('./results-bus/kafka-security'),
    ]);
    const security = kafkaConnectionSecurity(config.kafkaSecurity);
    return retryStartup({ what: 'Kafka', variable: 'KAFKA_BROKERS', pointsAt: brokers.join(',') }, () => connectKafkaResultsBus({ brokers, clientId, log, logLevel: kafkaLogLevelFor(config.logLevel ?? 'info'), ...security }), retry);
  }
  return openJournaledInProcessResultsBus(join(config.dataDir, 'results-bus', clientId), {
    maxMessagesPerPartition: IN_PROCESS_BUS_RETAINED_MESSAGES,
    storageHealth,
    onJournalError: (error) => log?.({ level: 'error', namespace: 'in-process-bus-journal', message: error.message, fields: { error } }),
  });
}

const IN_PROCESS_BUS_RETAINED_MESSAGES = 100_000;
