/**
 * A host's undelivered result and status log lines, as osqueryd buffers them between logger_tls
 * flushes. Each kind keeps at most `maxLines`; past that the oldest are dropped (osquery's
 * buffered_log_max purges too). A batch taken for sending stays buffered until it is acknowledged,
 * so a failed send loses nothing.
 */
import type { LogLine } from './result-log';

export type LogKind = 'result' | 'status';

export class LogBuffer {
  private readonly lines: Record<LogKind, LogLine[]> = { result: [], status: [] };

  constructor(private readonly maxLines: number) {}

  push(kind: LogKind, lines: LogLine[]): void {
    const buffer = this.lines[kind];
    for (const line of lines) buffer.push(line);
    if (buffer.length > this.maxLines) buffer.splice(0, buffer.length - this.maxLines);
  }

  /** The oldest lines of a kind, at most `max`; empty when there is nothing to send. */
  batch(kind: LogKind, max: number): LogLine[] {
    return this.lines[kind].slice(0, max);
  }

  /** A batch was delivered: drop it (wherever it now starts, as newer lines may have pushed old ones out). */
  acknowledge(kind: LogKind, batch: LogLine[]): void {
    const buffer = this.lines[kind];
    const start = buffer.indexOf(batch[0]);
    if (start >= 0) buffer.splice(start, batch.length);
  }
}
