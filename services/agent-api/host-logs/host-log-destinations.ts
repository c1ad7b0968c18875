/**
 * Where the osquery `log` endpoint hands a host's scheduled query results and status logs, one
 * destination per log type, chosen by OSQUERY_RESULT_LOG_PLUGIN and OSQUERY_STATUS_LOG_PLUGIN as
 * Fleet's logging plugins are:
 * - filesystem (the default without Kafka): a JSON-lines file under DATA_DIR, rotated by size
 *   (json-lines-file.ts); each line is the osquery log line as the host sent it, as in Fleet;
 * - kafka (the default with KAFKA_BROKERS): the bus topics of shared/hosts/host-log-topics.ts,
 *   one message `{host_id, hostname, line}` per line, keyed by host id;
 * - stdout: one JSON line per log line on standard output (`{"osquery_log": type, host_id,
 *   hostname, line}`), for a container runtime to collect.
 *
 * Invariant: `write` resolves only once its destination has the lines durably: fdatasync'd in the
 * file, acknowledged by the bus (acks=all on Kafka), flushed to the stdout pipe. A rejection means
 * the lines may not be there; the host gets a 5xx and sends them again (at least once).
 */
import type { HostLogsConfig, LogPlugin } from '../../../shared/config/config';
import type { StorageHealth } from '../../../shared/adapters/storage/storage-health';
import { OSQUERY_RESULT_LOG_TOPIC, OSQUERY_STATUS_LOG_TOPIC, type HostLogMessage } from '../../../shared/hosts/host-log-topics';
import type { ResultsBus } from '../../../shared/ports/results-bus';
import { JsonLinesFile } from './json-lines-file';

export type HostLogType = 'result' | 'status';

export interface HostLogHost {
  id: number;
  hostname: string;
}

export interface HostLogDestination {
  readonly plugin: LogPlugin;
  write(host: HostLogHost, lines: readonly unknown[]): Promise<void>;
  close(): Promise<void>;
}

export type HostLogDestinations = Record<HostLogType, HostLogDestination> & { close(): Promise<void> };

const TOPICS: Record<HostLogType, string> = { result: OSQUERY_RESULT_LOG_TOPIC, status: OSQUERY_STATUS_LOG_TOPIC };

export interface DestinationDeps {
  bus: ResultsBus;
  storageHealth?: StorageHealth;
  /** Standard output by default (tests pass their own). */
  stdout?: NodeJS.WritableStream;
}

export async function openHostLogDestinations(config: HostLogsConfig, deps: DestinationDeps): Promise<HostLogDestinations> {
  const result = await openDestination('result', config, deps);
  const status = await openDestination('status', config, deps).catch(async (error) => {
    await result.close();
    throw error;
  });
  return {
    result,
    status,
    async close() {
      await Promise.all([result.close(), status.close()]);
    },
  };
}

async function openDestination(type: HostLogType, config: HostLogsConfig, deps: DestinationDeps): Promise<HostLogDestination> {
  const { plugin, file } = config[type];
  if (plugin === 'kafka') return busDestination(deps.bus, TOPICS[type]);
  if (plugin === 'stdout') return stdoutDestination(type, deps.stdout ?? process.stdout);
  const lines = await JsonLinesFile.open(file, { maxBytes: config.fileMaxBytes, maxBackups: config.fileMaxBackups, health: deps.storageHealth });
  return {
    plugin,
    write: (_host, data) => lines.append(data.map((line) => JSON.stringify(line))),
    close: () => lines.close(),
  };
}

function busDestination(bus: ResultsBus, topic: string): HostLogDestination {
  return {
    plugin: 'kafka',
    write: (host, data) =>
      bus.produce(topic, data.map((line) => ({ key: String(host.id), value: JSON.stringify({ host_id: host.id, hostname: host.hostname, line } satisfies HostLogMessage) }))),
    close: async () => undefined,
  };
}

function stdoutDestination(type: HostLogType, out: NodeJS.WritableStream): HostLogDestination {
  return {
    plugin: 'stdout',
    write: (host, data) =>
      new Promise<void>((resolve, reject) => {
        const text = data.map((line) => `${JSON.stringify({ osquery_log: type, host_id: host.id, hostname: host.hostname, line })}\n`).join('');
        // The callback runs once the chunk is handed to the pipe or file (an error if it cannot be).
        out.write(text, (error) => (error ? reject(error) : resolve()));
      }),
    close: async () => undefined,
  };
}
