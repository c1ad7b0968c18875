/**
 * Several processes on one embedded event store (one DATA_DIR), as the topology runs them:
 * appends in one process reach live subscribers in the others, in order, once each; appends
 * with expected revisions from two processes conflict as they would in one.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { eventually } from '../support/eventually';

interface StoreProcess {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  send(command: object): void;
  next(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

async function startStoreProcess(directory: string): Promise<StoreProcess> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'support', 'event-store-process.js'), directory], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(JSON.parse(line) as Record<string, unknown>);
    waiters.splice(0).forEach((wake) => wake());
  });
  const process_: StoreProcess = {
    child,
    lines,
    send: (command) => child.stdin!.write(`${JSON.stringify(command)}\n`),
    async next(match) {
      for (let seen = 0; ; ) {
        const found = lines.slice(seen).find(match);
        if (found) {
          lines.splice(lines.indexOf(found), 1);
          return found;
        }
        seen = 0;
        await new Promise<void>((wake) => waiters.push(wake));
      }
    },
  };
  await process_.next((line) => line.ready === true);
  return process_;
}

describe('lmdb event store shared by several processes', function () {
  this.timeout(30_000);
  let directory: string;
  const children: ChildProcess[] = [];

  beforeEach(async function () {
    directory = await mkdtemp(join(tmpdir(), 'logbook-lmdb-processes-'));
  });

  afterEach(async function () {
    for (const child of children.splice(0)) {
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await new Promise((done) => child.once('exit', done));
    }
    await rm(directory, { recursive: true, force: true });
  });

  it('delivers appends made in process A to live subscribers in processes B and C, in order, once each', async function () {
    const a = await startStoreProcess(directory);
    const b = await startStoreProcess(directory);
    const c = await startStoreProcess(directory);
    children.push(a.child, b.child, c.child);
    a.send({ op: 'append', streamId: 'before-1', expected: 'no_stream', type: 'Before' });
    await a.next((line) => 'appended' in line);
    b.send({ op: 'subscribe' });
    c.send({ op: 'subscribe' });
    await b.next((line) => line.subscribed === true);
    await c.next((line) => line.subscribed === true);
    for (let index = 0; index < 50; index += 1) a.send({ op: 'append', streamId: `live-${index % 5}`, expected: 'any', type: `Live${index}` });
    for (const subscriber of [b, c]) {
      const events = await eventually(async () => {
        const seen = subscriber.lines.filter((line) => 'event' in line).map((line) => line.event as { type: string; position: number });
        assert.equal(seen.length, 51);
        return seen;
      }, 15_000);
      assert.equal(events[0].type, 'Before');
      assert.deepEqual(events.slice(1).map((event) => event.type).sort(), Array.from({ length: 50 }, (_, index) => `Live${index}`).sort());
      const positions = events.map((event) => event.position);
      assert.deepEqual(positions, [...positions].sort((x, y) => x - y), 'in log order');
      assert.equal(new Set(positions).size, positions.length, 'once each');
    }
  });

  it('lets exactly one of two processes append with the same expected revision', async function () {
    const a = await startStoreProcess(directory);
    const b = await startStoreProcess(directory);
    children.push(a.child, b.child);
    a.send({ op: 'append', streamId: 'contested', expected: 'no_stream', type: 'Created' });
    assert.deepEqual((await a.next((line) => 'appended' in line)).appended, { position: 0, revision: 0 });
    for (let round = 1; round <= 20; round += 1) {
      // Both believe the stream's last revision is round - 1; both send at once.
      a.send({ op: 'append', streamId: 'contested', expected: round - 1, type: `A${round}` });
      b.send({ op: 'append', streamId: 'contested', expected: round - 1, type: `B${round}` });
      const answers = [await a.next((line) => 'appended' in line || 'conflict' in line), await b.next((line) => 'appended' in line || 'conflict' in line)];
      const winners = answers.filter((answer) => 'appended' in answer);
      assert.equal(winners.length, 1, `round ${round}: one append commits, the other conflicts (${JSON.stringify(answers)})`);
      assert.equal((winners[0].appended as { revision: number }).revision, round);
    }
  });
});
