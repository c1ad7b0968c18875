/**
 * The shell relay port's contract (shared/ports/shell-relay.ts), for an adapter that can open
 * several relays ("brokers") on one transport: delivery to the others and never to oneself,
 * order per session, a frame up to the launcher's limit arriving whole, only what is published
 * after joining, and liveness (a clean close and a silent broker are both reported lost).
 */
import { strict as assert } from 'node:assert';
import type { RelayMessage, ShellRelay } from '../../shared/ports/shell-relay';
import { eventually } from '../support/eventually';

export interface RecordingRelay {
  relay: ShellRelay;
  received: Array<{ message: RelayMessage; from: string }>;
  lost: string[];
}

/** Opens a relay on the shared transport with short liveness times (heartbeat 100 ms, lost after 1000 ms). */
export type OpenRelay = (options: { silent?: boolean }) => Promise<RecordingRelay>;

const frame = (session: string, seq: number, text = `1${Buffer.from(`frame ${seq}`).toString('base64')}`): RelayMessage => ({ kind: 'frame', session_id: session, from: 'launcher', seq, text });

export function describeShellRelayContract(name: string, setUp: () => Promise<{ open: OpenRelay; close(): Promise<void> }>): void {
  describe(`shell relay contract: ${name}`, function () {
    this.timeout(60_000);
    let open: OpenRelay;
    let closeTransport: () => Promise<void>;
    const opened: ShellRelay[] = [];
    const relay = async (options: { silent?: boolean } = {}) => {
      const recording = await open(options);
      opened.push(recording.relay);
      return recording;
    };

    beforeEach(async () => {
      ({ open, close: closeTransport } = await setUp());
    });
    afterEach(async () => {
      for (const each of opened.splice(0)) await each.close();
      await closeTransport();
    });

    it('delivers to every other broker, in publish order per session, never to the sender', async () => {
      const [a, b, c] = [await relay(), await relay(), await relay()];
      const messages = Array.from({ length: 300 }, (_, i) => frame('s1', i + 1));
      await Promise.all(messages.map((message) => a.relay.publish(message)));
      for (const other of [b, c]) {
        await eventually(async () => assert.equal(other.received.filter((r) => r.message.kind === 'frame').length, messages.length), 20_000);
        assert.deepEqual(other.received.filter((r) => r.message.kind === 'frame').map((r) => r.message), messages, 'each once, in order');
        assert.ok(other.received.every((r) => r.from === a.relay.brokerId));
      }
      assert.equal(a.received.length, 0, 'the sender hears nothing of its own');
      assert.notEqual(a.relay.brokerId, b.relay.brokerId);
      assert.equal(a.relay.shared, true);
    });

    it('carries a frame as long as the launcher limit whole, between small ones, in order', async () => {
      const [a, b] = [await relay(), await relay()];
      const big = `1${'QUJD'.repeat((1024 * 1024 - 4) / 4)}`; // 1 MiB of base64
      const titled = `3${'é😀'.repeat(60_000)}`; // multi-byte text across part boundaries
      const messages = [frame('s2', 1), frame('s2', 2, big), frame('s2', 3, titled), frame('s2', 4)];
      for (const message of messages) void a.relay.publish(message);
      await eventually(async () => assert.equal(b.received.length, messages.length), 20_000);
      assert.deepEqual(b.received.map((r) => r.message), messages);
    });

    it('does not deliver what was published before a broker joined', async () => {
      const a = await relay();
      await a.relay.publish({ kind: 'joined', session_id: 'early', side: 'operator' });
      const b = await relay();
      await a.relay.publish({ kind: 'joined', session_id: 'late', side: 'operator' });
      await eventually(async () => assert.equal(b.received.length, 1));
      assert.equal((b.received[0].message as { session_id: string }).session_id, 'late');
    });

    it('reports a broker that closes as lost at once, and one that falls silent within lostAfterMs', async () => {
      const [a, b] = [await relay(), await relay()];
      const silent = await relay({ silent: true });
      await eventually(async () => assert.ok(a.received.length === 0 && b.lost.length === 0));
      await b.relay.close();
      await eventually(async () => assert.deepEqual(a.lost, [b.relay.brokerId]), 10_000);
      // `silent` stops its heartbeats (a process that froze or died without closing).
      await eventually(async () => assert.ok(a.lost.includes(silent.relay.brokerId)), 15_000, 50);
      assert.equal(a.lost.filter((id) => id === b.relay.brokerId).length, 1, 'once');
    });
  });
}
