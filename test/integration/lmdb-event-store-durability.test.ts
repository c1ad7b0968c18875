import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { openLmdbEventStore } from '../../shared/adapters/event-store/lmdb-event-store';
import { START, type EventStore, type RecordedEvent } from '../../shared/ports/event-store';

interface Acknowledged {
  position: number;
  acks: Array<{ streamId: string; revision: number; id: string }>;
}

const ACKNOWLEDGED_BEFORE_KILL = 400;

/** Runs the appending child until it has acknowledged enough appends, then kills it with SIGKILL. */
async function appendThenKill(directory: string): Promise<Acknowledged[]> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'support', 'append-forever.js'), directory], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  const acknowledged: Acknowledged[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.trim() === '') continue;
    acknowledged.push(JSON.parse(line) as Acknowledged);
    if (acknowledged.length === ACKNOWLEDGED_BEFORE_KILL) child.kill('SIGKILL');
  }
  assert.equal(await exited, 'SIGKILL', 'the child should only stop because it was killed');
  return acknowledged;
}

async function readWholeLog(store: EventStore): Promise<RecordedEvent[]> {
  const log: RecordedEvent[] = [];
  for (let after = START; ; ) {
    const page = await store.readAll(after, 1000);
    if (page.length === 0) return log;
    log.push(...page);
    after = page[page.length - 1].position;
  }
}

describe('lmdb event store durability', function () {
  let directory: string;
  let store: EventStore | undefined;

  beforeEach(async function () {
    directory = await mkdtemp(join(tmpdir(), 'logbook-lmdb-durability-'));
  });

  afterEach(async function () {
    await store?.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('keeps every acknowledged append after the process is killed with SIGKILL', async function () {
    this.timeout(60_000);
    const acknowledged = await appendThenKill(directory);
    assert.ok(acknowledged.length >= ACKNOWLEDGED_BEFORE_KILL);

    store = await openLmdbEventStore(directory);
    const log = await readWholeLog(store);
    assert.deepEqual(log.map((e) => e.position), [...log.keys()], 'positions are contiguous from 0');
    assert.ok(log.length >= acknowledged.reduce((sum, append) => sum + append.acks.length, 0));

    const byId = new Map(log.map((e) => [e.id, e]));
    for (const append of acknowledged) {
      for (const ack of append.acks) {
        const stored = byId.get(ack.id);
        assert.ok(stored, `acknowledged event ${ack.id} is missing`);
        assert.deepEqual([stored.streamId, stored.revision], [ack.streamId, ack.revision]);
        assert.ok(stored.position <= append.position);
      }
    }

    const streamIds = [...new Set(log.map((e) => e.streamId))];
    for (const streamId of streamIds) {
      const stream = await store.readStream(streamId);
      assert.deepEqual(stream.map((e) => e.revision), [...stream.keys()], `revisions of ${streamId} are contiguous`);
      assert.deepEqual(stream, log.filter((e) => e.streamId === streamId), `${streamId} matches the log`);
      const afterRestart = { type: 'AppendedAfterRestart', data: {}, metadata: stream[0].metadata };
      const next = await store.append([{ streamId, expected: stream.length - 1, events: [afterRestart] }]);
      assert.deepEqual(next.revisions, [stream.length]);
    }

    const partnered = new Set(log.filter((e) => e.type === 'Paired').map((e) => (e.data as { partner: string }).partner));
    const mains = log.filter((e) => e.type === 'Appended');
    const mainsWithPair = mains.filter((e) => (e.data as { seq: number }).seq % 5 === 4).map((e) => e.id);
    assert.ok(mainsWithPair.length > 0);
    assert.deepEqual(mainsWithPair.filter((id) => !partnered.has(id)), [], 'two-stream appends kept whole');
    assert.equal(partnered.size, mainsWithPair.length, 'no pair event without its partner');
  });
});
