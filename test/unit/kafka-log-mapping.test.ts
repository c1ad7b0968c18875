/**
 * kafkajs's log entries through the bus's log mapping (kafka-client-parts forwardLog, then the
 * logger's busLog) onto pino: each at its own level, kafkajs's fields under `bus`, and no line
 * with a key twice (kafkajs's entries carry their own `level`, `message` and `timestamp`).
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { Kafka, logLevel } from 'kafkajs';
import { forwardLog, kafkaLogLevelFor } from '../../shared/adapters/results-bus/kafka-client-parts';
import { busLog, createLogger } from '../../shared/observability/logger';

/** The keys of a JSON object text's top level, in order, duplicates kept. */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) keys.push(JSON.parse(text.slice(i, end + 1)) as string);
      expectKey = false;
      i = end;
    } else if (char === '{' || char === '[') {
      depth++;
      expectKey = char === '{' && depth === 1;
    } else if (char === '}' || char === ']') {
      depth--;
    } else if (char === ',' && depth === 1) {
      expectKey = true;
    }
  }
  return keys;
}

function capturedLogger(level: 'debug' | 'info' | 'warn') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
      done();
    },
  });
  return { logger: createLogger(level, 'test', destination), lines };
}

describe('kafkajs logs onto the logger', () => {
  it('keeps every key once, pino\'s level at the top, kafkajs\'s fields under "bus"', () => {
    const { logger, lines } = capturedLogger('debug');
    const kafka = new Kafka({
      clientId: 'log-test',
      brokers: ['127.0.0.1:1'],
      logLevel: logLevel.DEBUG,
      logCreator: () => (entry) => forwardLog(busLog(logger), entry),
    });
    const log = kafka.logger().namespace('Connection');
    log.error('Connection error', { broker: '127.0.0.1:1', level: 'ERROR', msg: 'shadow', timestamp: 'then', time: 'then' });
    log.warn('Retrying', { retryCount: 1 });
    log.info('Joined', { groupId: 'g' });
    log.debug('Request', { apiKey: 3 });
    assert.equal(lines.length, 4);
    for (const line of lines) {
      const keys = topLevelKeys(line);
      assert.equal(keys.length, new Set(keys).size, `a key twice in ${line}`);
    }
    const entries = lines.map((line) => JSON.parse(line) as { level: string; msg: string; bus: Record<string, unknown> });
    assert.deepEqual(entries.map((entry) => entry.level), ['error', 'warn', 'info', 'debug']);
    assert.deepEqual(entries.map((entry) => entry.msg), ['Connection error', 'Retrying', 'Joined', 'Request']);
    assert.equal(entries[0].bus.namespace, 'Connection');
    assert.equal(entries[0].bus.broker, '127.0.0.1:1');
    assert.equal(entries[0].bus.level, 'ERROR', "kafkajs's own level stays under bus");
    assert.equal(entries[0].bus.logger, 'kafkajs');
  });

  it('passes kafkajs entries from the level the logger is at (kafkajs INFO and DEBUG from debug only)', () => {
    assert.equal(kafkaLogLevelFor('info'), logLevel.WARN);
    assert.equal(kafkaLogLevelFor('warn'), logLevel.WARN);
    assert.equal(kafkaLogLevelFor('error'), logLevel.ERROR);
    assert.equal(kafkaLogLevelFor('debug'), logLevel.DEBUG);
    assert.equal(kafkaLogLevelFor('trace'), logLevel.DEBUG);
    assert.equal(kafkaLogLevelFor('silent'), logLevel.NOTHING);
  });

  it('a throwing sink does not reach kafkajs', () => {
    assert.doesNotThrow(() => forwardLog(() => {
      throw new Error('sink broke');
    }, { namespace: 'x', level: logLevel.ERROR, label: 'ERROR', log: { timestamp: 'now', message: 'm' } }));
  });
});
