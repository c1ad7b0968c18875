/**
 * Bounds on sockets before a login, black box (a Logbook process, real clients): every upgrade
 * is answered, browser origins are checked, unauthenticated sockets have a deadline and a cap,
 * SockJS's polling bodies are limited before they are read, and no response is credentialed CORS.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';
import { setUpAdmin } from '../support/fleet-client';
import { eventually } from '../support/eventually';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';
import { openFds, rawRequest, rawUpgrade } from '../support/raw-http';
import { RecordingSocket, wsUrl } from '../support/shell-client';
import { connectSockJsWatcher, connectSocketIoWatcher, connectWebSocketWatcher, isType } from '../support/watcher-clients';

const LISTED_ORIGIN = 'https://console.example.com';
const UPGRADE_PATHS = {
  'raw WebSocket': '/api/v1/fleet/results/websocket',
  'SockJS websocket': '/api/v1/fleet/results/000/abcdefgh/websocket',
  'Socket.IO': '/socket.io/?EIO=4&transport=websocket',
  'shell operator': `/api/v1/fleet/shells/${randomUUID()}/websocket`,
  'shell launcher': `/api/v1/shells/${randomUUID()}`,
};

describe('socket bounds before a login (black box)', function () {
  this.timeout(60_000);
  let logbook: LogbookProcess;
  let base: string;

  before(async () => {
    logbook = await startLogbook({ env: { SOCKET_AUTH_TIMEOUT_MS: '500', ALLOWED_ORIGINS: LISTED_ORIGIN, SOCKJS_BODY_LIMIT: '64kb' } });
    base = wsUrl(logbook.url, '');
  });
  after(() => logbook.stop());

  it('answers 150 upgrades to paths nobody serves with a 404 and closes them: no descriptor is left', async () => {
    const before = await openFds(logbook.child.pid!);
    const exchanges = Array.from({ length: 150 }, (_, i) => rawUpgrade(logbook.url, `/no/such/socket/${i}`));
    for (const exchange of exchanges) {
      assert.equal((await exchange.answer).status, 404);
      await exchange.closed; // closed by the server: the client never ends its side
    }
    await eventually(async () => assert.ok((await openFds(logbook.child.pid!)) <= before + 5, 'descriptors back to where they were'));
  });

  for (const [name, path] of Object.entries(UPGRADE_PATHS)) {
    it(`${name}: a browser upgrade from another origin is a 403 and closed; same-origin, listed and Origin-less upgrades go through`, async () => {
      const refused = rawUpgrade(logbook.url, path, { Origin: 'https://evil.example.net' });
      assert.equal((await refused.answer).status, 403);
      await refused.closed;
      const ownOrigin = new URL(logbook.url).origin;
      const variants: Array<Record<string, string>> = [{ Origin: ownOrigin }, { Origin: LISTED_ORIGIN }, {}];
      for (const headers of variants) {
        const accepted = rawUpgrade(logbook.url, path, headers);
        assert.equal((await accepted.answer).status, 101, JSON.stringify(headers));
        accepted.socket.destroy();
      }
    });
  }

  describe('a socket that does not authenticate is closed at the deadline', () => {
    it('raw WebSocket: an error frame, then close 4408', async () => {
      const watcher = await connectWebSocketWatcher(base);
      assert.deepEqual(await watcher.closed, { code: 4408, reason: 'authentication timeout' });
      assert.deepEqual(watcher.frames, [{ type: 'error', data: 'auth: not authenticated within 500 ms' }]);
    });

    for (const transports of [['websocket'], ['xhr-polling']]) {
      it(`SockJS (${transports[0]}): an error frame, then close 4408`, async () => {
        const watcher = await connectSockJsWatcher(logbook.url, transports);
        assert.deepEqual(await watcher.closed, { code: 4408, reason: 'authentication timeout' });
        assert.deepEqual(watcher.frames, [{ type: 'error', data: 'auth: not authenticated within 500 ms' }]);
      });
    }

    it('Socket.IO without a handshake token: an error event, then disconnected by the server', async () => {
      const watcher = await connectSocketIoWatcher(logbook.url, null);
      assert.deepEqual(await watcher.closed, { code: 'io server disconnect', reason: 'io server disconnect' });
      assert.deepEqual(watcher.frames, [{ type: 'error', data: 'auth: not authenticated within 500 ms' }]);
    });

    it('shell operator and launcher sockets: close 4408', async () => {
      for (const path of [UPGRADE_PATHS['shell operator'], UPGRADE_PATHS['shell launcher']]) {
        const socket = new RecordingSocket(new WebSocket(wsUrl(logbook.url, path)));
        await socket.opened;
        assert.equal((await socket.closed).code, 4408, path);
      }
    });
  });

  describe('SockJS polling bodies and CORS', () => {
    const declaredBody = (path: string, length: number) =>
      rawRequest(logbook.url, `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: ${length}\r\n\r\n`);

    it('refuses a send to an unknown session without reading its 64 MB body (404, closed)', async () => {
      const exchange = declaredBody('/api/v1/fleet/results/000/nosuchsession/xhr_send', 64 * 1024 * 1024);
      assert.equal((await exchange.answer).status, 404);
      await exchange.closed;
      assert.equal((await fetch(`${logbook.url}/healthz`)).status, 200);
    });

    it('refuses a send over the limit to a live session: by Content-Length, and as a chunked body streams in (413, closed)', async () => {
      const session = `s${randomUUID().slice(0, 8)}`;
      const opened = await fetch(`${logbook.url}/api/v1/fleet/results/000/${session}/xhr`, { method: 'POST' });
      assert.equal((await opened.text()).trim(), 'o');
      const declared = declaredBody(`/api/v1/fleet/results/000/${session}/xhr_send`, 1024 * 1024);
      assert.equal((await declared.answer).status, 413);
      await declared.closed;

      const chunked = rawRequest(logbook.url, `POST /api/v1/fleet/results/000/${session}/xhr_send HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n`);
      let answered = false;
      void chunked.answer.then(() => (answered = true), () => (answered = true));
      const chunk = 'x'.repeat(16 * 1024);
      for (let sent = 0; sent < 256 && !answered; sent++) {
        chunked.socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.equal((await chunked.answer).status, 413);
      await chunked.closed;
    });

    it('never answers with Access-Control-Allow-Credentials, and refuses other origins (403)', async () => {
      const own = new URL(logbook.url).origin;
      for (const origin of [own, LISTED_ORIGIN]) {
        const info = await fetch(`${logbook.url}/api/v1/fleet/results/info`, { headers: { Origin: origin } });
        assert.equal(info.status, 200);
        assert.equal(info.headers.get('access-control-allow-credentials'), null);
        const controller = new AbortController();
        const stream = await fetch(`${logbook.url}/api/v1/fleet/results/000/${randomUUID().slice(0, 8)}/eventsource`, { headers: { Origin: origin }, signal: controller.signal });
        assert.equal(stream.headers.get('access-control-allow-credentials'), null);
        controller.abort();
      }
      const evil = await fetch(`${logbook.url}/api/v1/fleet/results/info`, { headers: { Origin: 'https://evil.example.net' } });
      assert.equal(evil.status, 403);
      assert.equal(evil.headers.get('access-control-allow-origin'), null);
      const polling = await fetch(`${logbook.url}/socket.io/?EIO=4&transport=polling`, { headers: { Origin: 'https://evil.example.net' } });
      assert.equal(polling.status, 403);
    });
  });
});

describe('the cap on unauthenticated sockets (black box)', function () {
  this.timeout(60_000);
  let logbook: LogbookProcess;

  before(async () => {
    logbook = await startLogbook({ env: { MAX_UNAUTHENTICATED_SOCKETS: '2' } });
  });
  after(() => logbook.stop());

  it('refuses sockets beyond the cap (error frame, close 1013) until one authenticates', async () => {
    const admin = await setUpAdmin(logbook.url);
    const base = wsUrl(logbook.url, '');
    const first = await connectWebSocketWatcher(base);
    const second = await connectWebSocketWatcher(base);
    const third = await connectWebSocketWatcher(base);
    assert.deepEqual(await third.closed, { code: 1013, reason: 'try again later' });
    assert.deepEqual(third.frames, [{ type: 'error', data: 'too many unauthenticated connections; try again later' }]);
    const shell = new RecordingSocket(new WebSocket(wsUrl(logbook.url, UPGRADE_PATHS['shell operator'])));
    assert.equal((await shell.closed).code, 1013);

    first.send('auth', { token: admin.token });
    first.send('select_campaign', { campaign_id: 999 });
    await first.waitFor(isType('error')); // authenticated: the select is answered (no such campaign)
    assert.match(first.frames[0].data, /no campaign with id 999/);
    const fourth = await connectWebSocketWatcher(base);
    fourth.send('select_campaign', { campaign_id: 1 });
    assert.match((await fourth.waitFor(isType('error'))).data, /authenticate first/);
    for (const client of [first, second, fourth]) client.close();
  });
});
