/**
 * Chooses the adapters from the configuration: EventStoreDB when EVENTSTORE_URL is set, else the
 * embedded event store under DATA_DIR; MongoDB when MONGO_URL is set, else the embedded read
 * store under DATA_DIR; Kafka when KAFKA_BROKERS is set, else the in-process results bus.
 * The server adapters are loaded only when chosen: their client libraries (kafkajs,
 * @eventstore/db-client, mongodb) take about 0.3 s to load on an idle machine (several seconds on
 * a busy one) and hold memory that a process using the embedded stores does not need.
 */
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

export interface Stores {
  eventStore: EventStore;
  readStore: ReadStore;
  /** Whether the embedded stores can write (the servers' adapters do not report into it). */
  storageHealth: StorageHealth;
  /** What was chosen, for the start-up log line. */
  description: { eventStore: 'eventstoredb' | 'embedded'; readStore: 'mongodb' | 'embedded' };
}

export async function openEventStore(config: Pick<Config, 'eventStoreUrl' | 'dataDir'>, health?: StorageHealth): Promise<EventStore> {
  if (config.eventStoreUrl) return (await import('./event-store/eventstoredb-event-store')).connectEventStoreDb(config.eventStoreUrl);
  mkdirSync(config.dataDir, { recursive: true });
  return openLmdbEventStore(join(config.dataDir, 'events'), { health });
}

export async function openReadStore(config: Pick<Config, 'mongoUrl' | 'mongoDatabase' | 'dataDir'>, health?: StorageHealth): Promise<ReadStore> {
  if (config.mongoUrl) return (await import('./read-store/mongo-read-store')).connectMongoReadStore(config.mongoUrl, config.mongoDatabase);
  mkdirSync(config.dataDir, { recursive: true });
  return openLmdbReadStore(join(config.dataDir, 'read-models'), { health });
}

export async function openStores(config: Config): Promise<Stores> {
  const storageHealth = new StorageHealth();
  const eventStore = await openEventStore(config, storageHealth);
  try {
    const readStore = await openReadStore(config, storageHealth);
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
  config: Pick<Config, 'kafkaBrokers' | 'dataDir'>,
  clientId: string,
  log?: (record: KafkaLogRecord) => void,
  /** The embedded stores' health (from openStores): the journal reports a full disk there too. */
  storageHealth?: StorageHealth,
): Promise<ResultsBus> {
  if (config.kafkaBrokers) return (await import('./results-bus/kafka-results-bus')).connectKafkaResultsBus({ brokers: config.kafkaBrokers, clientId, log });
  return openJournaledInProcessResultsBus(join(config.dataDir, 'results-bus', clientId), {
    maxMessagesPerPartition: IN_PROCESS_BUS_RETAINED_MESSAGES,
    storageHealth,
    onJournalError: (error) => log?.({ level: 'error', namespace: 'in-process-bus-journal', message: error.message, fields: { error } }),
  });
}

const IN_PROCESS_BUS_RETAINED_MESSAGES = 100_000;
