/**
 * Child process for the durability test: opens the lmdb event store at argv[2] and appends
 * forever from several concurrent writers. After each acknowledged append it prints one JSON line:
 * {"position": <last position>, "acks": [{"streamId", "revision", "id"}, ...]}.
 * Every fifth append of a writer is a two-stream append (its own stream and its "pairs" stream).
 */
import { randomUUID } from 'node:crypto';
import { openLmdbEventStore } from '../../shared/adapters/event-store/lmdb-event-store';
import type { EventStore, NewEvent, StreamWrite } from '../../shared/ports/event-store';

const WRITERS = 8;

function newEvent(type: string, data: Record<string, unknown>): NewEvent & { id: string } {
  return {
    id: randomUUID(),
    type,
    data,
    metadata: { actor: { type: 'system', id: 'append-forever' }, occurredAt: new Date().toISOString(), correlationId: randomUUID(), causationId: null },
  };
}

async function writeForever(store: EventStore, writer: number): Promise<never> {
  const streamId = `durability-writer-${writer}`;
  const pairsId = `durability-pairs-${writer}`;
  let last = -1;
  let lastPair = -1;
  for (let seq = 0; ; seq++) {
    const main = newEvent('Appended', { writer, seq });
    const writes: StreamWrite[] = [{ streamId, expected: last < 0 ? 'no_stream' : last, events: [main] }];
    const events = [main];
    if (seq % 5 === 4) {
      const pair = newEvent('Paired', { writer, seq, partner: main.id });
      writes.push({ streamId: pairsId, expected: lastPair < 0 ? 'no_stream' : lastPair, events: [pair] });
      events.push(pair);
    }
    const result = await store.append(writes);
    last = result.revisions[0];
    if (writes.length > 1) lastPair = result.revisions[1];
    const acks = writes.map((write, i) => ({ streamId: write.streamId, revision: result.revisions[i], id: events[i].id }));
    process.stdout.write(`${JSON.stringify({ position: result.position, acks })}\n`);
  }
}

async function main(): Promise<void> {
  const path = process.argv[2];
  if (!path) throw new Error('usage: append-forever <store directory>');
  const store = await openLmdbEventStore(path);
  await Promise.all([...Array(WRITERS).keys()].map((writer) => writeForever(store, writer)));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
