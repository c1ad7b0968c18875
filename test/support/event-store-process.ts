/**
 * A child process on an embedded event store (the LMDB directory in argv[2]), driven by JSON
 * lines on stdin and answering JSON lines on stdout, for tests of several processes on one store:
 *   {"op":"subscribe"}                                   → {"subscribed":true} once caught up, then
 *                                                          {"event":{position,streamId,revision,type}} per event
 *   {"op":"append","streamId","expected","type","id"?}   → {"appended":{position,revision}} or {"conflict":true}
 */
import { createInterface } from 'node:readline';
import { openLmdbEventStore } from '../../shared/adapters/event-store/lmdb-event-store';
import { START, WrongExpectedRevisionError, type ExpectedRevision } from '../../shared/ports/event-store';

interface Command {
  op: 'subscribe' | 'append';
  streamId?: string;
  expected?: ExpectedRevision;
  type?: string;
  id?: string;
}

const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

async function main(): Promise<void> {
  const store = await openLmdbEventStore(process.argv[2]);
  say({ ready: true });
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === '') continue;
    const command = JSON.parse(line) as Command;
    if (command.op === 'subscribe') {
      store.subscribeToAll({
        after: START,
        onEvent: (event) => void say({ event: { position: event.position, streamId: event.streamId, revision: event.revision, type: event.type } }),
        onCaughtUp: () => void say({ subscribed: true }),
      });
    } else {
      const write = { streamId: command.streamId!, expected: command.expected ?? 'any', events: [{ id: command.id, type: command.type!, data: {}, metadata: { actor: { type: "system" as const, id: "test" }, occurredAt: new Date().toISOString(), correlationId: "c", causationId: null } }] };
      store.append([write]).then(
        (result) => say({ appended: { position: result.position, revision: result.revisions[0] } }),
        (error) => say(error instanceof WrongExpectedRevisionError ? { conflict: true } : { error: String(error) }),
      );
    }
  }
  await store.close();
}

void main();
