/**
 * A live session's side of the relay between brokers, with a recording relay and a real socket
 * pair on loopback: where it sends, numbering, duplicates dropped, a gap ends the session, flow
 * control by acknowledgements, a close told to the other broker, a lost broker ending only its
 * sessions, and a session with no side here let go once its launcher joined elsewhere.
 */
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { FrameQueue } from '../../services/shell-broker/frame-queue';
import { LiveSession, type SessionClose } from '../../services/shell-broker/live-session';
import type { RelayMessage, ShellRelay } from '../../shared/ports/shell-relay';
import { RecordingSocket } from '../support/shell-client';
import { eventually } from '../support/eventually';

const HOST = { id: 7, hostname: 'h', display_name: 'h' };
const OPERATOR = { id: 1, email: 'admin@example.com' };
const frame = (seq: number, text: string): RelayMessage => ({ kind: 'frame', session_id: 's', from: 'launcher', seq, text });
const out = (text: string) => `1${Buffer.from(text).toString('base64')}`;

describe('a live session across brokers (relay side)', () => {
  let server: WebSocketServer;
  let url: string;
  const accepted: WebSocket[] = [];
  before(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    server.on('connection', (ws) => accepted.push(ws));
    await once(server, 'listening');
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  function session(extra: { launcherJoinedElsewhere?: boolean } = {}) {
    const published: RelayMessage[] = [];
    const closes: Array<{ close: SessionClose; recorded: boolean }> = [];
    let forgotten = false;
    const relay: ShellRelay = { brokerId: 'A', shared: true, publish: async (message) => void published.push(message), close: async () => undefined };
    const live = new LiveSession({
      sessionId: 's',
      host: HOST,
      operator: OPERATOR,
      secretExpiresAt: Date.now() + 60_000,
      idleTimeoutMs: 60_000,
      relay,
      ...extra,
      onClosed: (close, recorded) => closes.push({ close, recorded }),
      onForgotten: () => (forgotten = true),
    });
    return { live, published, closes, forgotten: () => forgotten };
  }

  /** An operator client attached to `live` through a real socket pair. */
  async function attachOperator(live: LiveSession): Promise<RecordingSocket> {
    const count = accepted.length;
    const client = new RecordingSocket(new WebSocket(url));
    await client.opened;
    await eventually(async () => assert.ok(accepted.length > count));
    const serverSide = accepted[accepted.length - 1];
    live.attach('operator', serverSide, new FrameQueue(serverSide));
    return client;
  }

  it('announces its side, answers the other broker once, and sends frames numbered in order', async () => {
    const { live, published } = session();
    const operator = await attachOperator(live);
    operator.send('1ls\n');
    await eventually(async () => assert.deepEqual(published.map((m) => m.kind), ['joined']), 2_000);
    live.onRelay({ kind: 'joined', session_id: 's', side: 'launcher' }, 'B');
    live.onRelay({ kind: 'joined', session_id: 's', side: 'launcher' }, 'B'); // told again: answered once
    operator.send('1pwd\n');
    await eventually(async () => assert.equal(published.filter((m) => m.kind === 'frame').length, 2));
    assert.deepEqual(published.filter((m) => m.kind === 'joined').map((m) => (m as { side: string }).side), ['operator', 'operator']);
    assert.deepEqual(published.filter((m) => m.kind === 'frame').map((m) => [(m as { seq: number }).seq, (m as { text: string }).text]), [[1, '1ls\n'], [2, '1pwd\n']], 'held frame first, then the next');
    live.close({ reason: 'done', closed_by: 'operator' }, 1000);
  });

  it('writes frames from the other broker once, in order, and ends the session on a gap', async () => {
    const { live, published, closes } = session();
    const operator = await attachOperator(live);
    live.onRelay({ kind: 'joined', session_id: 's', side: 'launcher' }, 'B');
    live.onRelay(frame(1, out('a')), 'B');
    live.onRelay(frame(1, out('a')), 'B'); // a redelivery
    live.onRelay(frame(2, out('b')), 'C'); // not the broker that holds the launcher
    live.onRelay(frame(2, out('b')), 'B');
    await operator.waitFor(() => operator.frames.length >= 2, 'two frames');
    live.onRelay(frame(4, out('d')), 'B');
    const closed = await operator.closed;
    assert.deepEqual(operator.frames, [out('a'), out('b')]);
    assert.equal(closed.code, 1011);
    assert.match(closed.reason, /lost between brokers/);
    assert.deepEqual(closes.map((c) => c.recorded), [true]);
    assert.equal(published.at(-1)?.kind, 'closed', 'the other broker is told');
  });

  it('stops reading its side past 1 MiB unacknowledged and reads again after the ack', async () => {
    const { live, published } = session();
    const operator = await attachOperator(live);
    live.onRelay({ kind: 'joined', session_id: 's', side: 'launcher' }, 'B');
    const chunk = `1${'x'.repeat(60 * 1024)}`;
    for (let i = 0; i < 40; i += 1) operator.send(chunk); // 2.4 MiB
    const sent = () => published.filter((m) => m.kind === 'frame').length;
    await eventually(async () => assert.ok(sent() >= 18), 5_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(sent() < 40, `paused with ${sent()} frames out`);
    // The other broker acknowledges what it wrote; each ack lets the next megabyte out.
    await eventually(async () => {
      live.onRelay({ kind: 'ack', session_id: 's', side: 'launcher', bytes: sent() * chunk.length }, 'B');
      assert.equal(sent(), 40);
    }, 5_000);
    const seqs = published.filter((m) => m.kind === 'frame').map((m) => (m as { seq: number }).seq);
    assert.deepEqual(seqs, Array.from({ length: 40 }, (_, i) => i + 1));
    live.close({ reason: 'done', closed_by: 'operator' }, 1000);
    await operator.closed;
  });

  it('closes like the other broker did without recording it, and ends with 4410 when that broker is lost', async () => {
    const first = session();
    const a = await attachOperator(first.live);
    first.live.onRelay({ kind: 'joined', session_id: 's', side: 'launcher' }, 'B');
    first.live.onRelay({ kind: 'closed', session_id: 's', code: 1000, reason: 'the shell on the host ended', closed_by: 'launcher' }, 'B');
    assert.deepEqual(await a.closed, { code: 1000, reason: 'the shell on the host ended' });
    assert.deepEqual(first.closes.map((c) => c.recorded), [false]);

    const second = session();
    const b = await attachOperator(second.live);
    second.live.onRelay({ kind: 'joined', session_id: 's', side: 'launcher' }, 'B');
    second.live.brokerLost('C'); // another broker: nothing happens
    assert.equal(second.live.isClosed, false);
    second.live.brokerLost('B');
    assert.equal((await b.closed).code, 4410);
    assert.deepEqual(second.closes.map((c) => c.recorded), [true]);
    assert.ok(!second.published.some((m) => m.kind === 'closed'), 'nothing to tell a lost broker');
  });

  it('lets a session with no side here go once its launcher joined elsewhere, without recording a close', () => {
    const { live, closes, forgotten } = session();
    live.onRelay({ kind: 'joined', session_id: 's', side: 'operator' }, 'C');
    assert.equal(forgotten(), false);
    live.onRelay({ kind: 'joined', session_id: 's', side: 'launcher' }, 'B');
    assert.equal(forgotten(), true);
    assert.equal(closes.length, 0);
  });
});
