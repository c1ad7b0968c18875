/**
 * Start-up with a MongoDB or Kafka address that refuses connections (black box): Logbook retries
 * with backoff for STARTUP_RETRY_S, logging each try with the variable and where it points, then
 * exits 1 naming them. (EventStoreDB cannot run here; it goes through the same retry.)
 */
import assert from 'node:assert/strict';
import { startLogbook } from '../support/logbook-process';

async function failedStart(env: Record<string, string>): Promise<string[]> {
  try {
    const logbook = await startLogbook({ env });
    await logbook.stop();
  } catch (error) {
    return String((error as Error).message).split('\n');
  }
  assert.fail('Logbook started against an unreachable server');
}

function retryLines(lines: string[], variable: string): Array<{ msg: string; variable: string; pointsAt: string; attempt: number }> {
  return lines.flatMap((line) => {
    try {
      const entry = JSON.parse(line) as { msg: string; variable?: string; pointsAt: string; attempt: number };
      return entry.variable === variable ? [entry as { msg: string; variable: string; pointsAt: string; attempt: number }] : [];
    } catch {
      return [];
    }
  });
}

describe('start-up against unreachable servers (black box)', function () {
  this.timeout(120_000);

  it('MongoDB: retries with backoff, logs MONGO_URL without its credentials, then exits naming it', async () => {
    const lines = await failedStart({ MONGO_URL: 'mongodb://user:hunter2@127.0.0.1:1/?serverSelectionTimeoutMS=200', STARTUP_RETRY_S: '2' });
    const tries = retryLines(lines, 'MONGO_URL');
    assert.ok(tries.length >= 2, `retried: ${JSON.stringify(tries)}`);
    assert.deepEqual(tries.map((entry) => entry.attempt), tries.map((_, index) => index + 1));
    assert.ok(tries.every((entry) => !JSON.stringify(entry).includes('hunter2')), 'no password in the log');
    assert.match(tries[0].msg, /^cannot reach MongoDB \(MONGO_URL=mongodb:\/\/.*127\.0\.0\.1:1.*\); retrying$/);
    assert.match(tries[tries.length - 1].msg, /giving up$/);
    assert.ok(lines.some((line) => /failed to start: cannot reach MongoDB at MONGO_URL=/.test(line)), lines.join('\n'));
    assert.ok(!lines.join('\n').includes('hunter2'));
  });

  it('Kafka: retries KAFKA_BROKERS, then exits naming it', async () => {
    const lines = await failedStart({ KAFKA_BROKERS: '127.0.0.1:1', STARTUP_RETRY_S: '1' });
    const tries = retryLines(lines, 'KAFKA_BROKERS');
    assert.ok(tries.length >= 1);
    assert.equal(tries[0].pointsAt, '127.0.0.1:1');
    assert.ok(lines.some((line) => /failed to start: cannot reach Kafka at KAFKA_BROKERS=127\.0\.0\.1:1/.test(line)), lines.join('\n'));
  });
});
