/**
 * Cases for the sockets: the raw WebSocket results endpoint, SockJS (its xhr transports with
 * huge and garbage bodies, and its websocket), Socket.IO (handshake garbage over polling and
 * websocket), the two shell sockets, and upgrades to paths nobody serves.
 */
import type { SeededRandom } from '../../services/host-simulator/seeded-random';
import type { FuzzContext, HttpCase, SocketCase } from './fuzz-case';
import { deepJson, garbage, GARBAGE_TEXTS, LONE_SURROGATE } from './fuzz-values';

type NewHttp = Omit<HttpCase, 'id'>;
type NewSocket = Omit<SocketCase, 'id'>;
const S = '/api/v1/fleet/results';
const session = (rnd: SeededRandom) => `fz${rnd.int(0, 2 ** 30).toString(36)}`;
const frame = (value: unknown) => JSON.stringify(value);

/** Frames for the results sockets (JSON {type, data}) that no client should send. */
function resultFrames(ctx: FuzzContext, rnd: SeededRandom): Record<string, Array<string | Buffer>> {
  const auth = frame({ type: 'auth', data: { token: ctx.tokens.admin } });
  return {
    garbage: [rnd.pick(GARBAGE_TEXTS), rnd.pick(GARBAGE_TEXTS)],
    binary: [garbage(rnd, 512)],
    'select-before-auth': [frame({ type: 'select_campaign', data: { campaign_id: ctx.campaignId } })],
    'auth-garbage-token': [frame({ type: 'auth', data: { token: 'garbage' } })],
    'auth-token-wrong-type': [frame({ type: 'auth', data: { token: { $ne: 1 } } }), frame({ type: 'auth', data: null })],
    'auth-node-key': [frame({ type: 'auth', data: { token: ctx.nodeKey } })],
    'select-garbage-ids': [auth, ...['x', -1, 1e308, '99999999999999999999', null, [1], { a: 1 }, '__proto__'].map((id) => frame({ type: 'select_campaign', data: { campaign_id: id } }))],
    'select-proto': [auth, '{"type":"select_campaign","data":{"__proto__":{"campaign_id":1}}}', '{"type":"__proto__","data":{}}', '{"type":"constructor"}'],
    'deep-frame': [deepJson(10_000, 'array'), `{"type":"auth","data":${deepJson(10_000, 'object')}}`],
    'surrogate-frame': [frame({ type: LONE_SURROGATE, data: LONE_SURROGATE })],
    'huge-frame': [Buffer.alloc(2 * 1024 * 1024, 'a').toString()],
    'many-frames': Array.from({ length: 200 }, (_, i) => frame({ type: 'select_campaign', data: { campaign_id: i } })),
  };
}

const SOCKJS_BODIES: Record<string, (ctx: FuzzContext, rnd: SeededRandom) => string | Buffer> = {
  garbage: (_ctx, rnd) => rnd.pick(GARBAGE_TEXTS),
  empty: () => '',
  binary: (_ctx, rnd) => garbage(rnd, 1024),
  'not-strings': () => '[1, {"a":2}, null]',
  'huge-2mb': () => frame(['a'.repeat(2 * 1024 * 1024)]),
  'huge-garbage-2mb': () => 'x'.repeat(2 * 1024 * 1024),
  'deep-10000': () => deepJson(10_000, 'array'),
  'valid-auth-select': (ctx) => frame([frame({ type: 'auth', data: { token: ctx.tokens.observer } }), frame({ type: 'select_campaign', data: { campaign_id: ctx.campaignId } })]),
  'garbage-messages': () => frame(['not json', '{"type":', frame({ type: 'select_campaign', data: { campaign_id: 'x' } })]),
  'surrogate-message': () => frame([LONE_SURROGATE]),
};

function sockJsCases(ctx: FuzzContext, rnd: SeededRandom): NewHttp[] {
  const cases: NewHttp[] = [];
  const plain = (method: string, path: string, mutation: string, body?: string | Buffer, headers: Record<string, string> = {}): NewHttp => ({
    kind: 'http', route: `${method} ${S}/*`, mutation, family: 'sockjs', method, path, headers, body: body === undefined ? undefined : Buffer.from(body),
  });
  for (const path of ['/info', '/iframe.html', '/iframe-abc.html', '/', '', '/%ff', '/%', '/000/%ff/xhr', '/%ff/%ff/xhr_send', '/a.b/c/xhr', '/000/../xhr', `/${'n'.repeat(10_240)}/x/xhr`, '/000/x/nope', '/000/x/jsonp?c=%ff', '/000/x/jsonp?c=alert(1)', '/000/x/jsonp']) {
    cases.push(plain('GET', `${S}${path}`, `path ${path.slice(0, 40)}`), plain('OPTIONS', `${S}${path}`, `options ${path.slice(0, 40)}`), plain('DELETE', `${S}${path}`, `delete ${path.slice(0, 40)}`));
  }
  for (const [name, body] of Object.entries(SOCKJS_BODIES)) {
    const sid = session(rnd);
    const open = plain('POST', `${S}/000/${sid}/xhr`, 'open');
    cases.push({ ...plain('POST', `${S}/000/${sid}/xhr_send`, `xhr_send ${name}`, body(ctx, rnd)), route: `POST ${S}/:server/:session/xhr_send`, before: [open] });
    cases.push({ ...plain('POST', `${S}/000/${sid}/xhr_send`, `xhr_send ${name} (text/plain)`, body(ctx, rnd), { 'content-type': 'text/plain' }), route: `POST ${S}/:server/:session/xhr_send` });
    cases.push({ ...plain('POST', `${S}/000/${session(rnd)}/xhr_send`, `xhr_send ${name} (no session)`, body(ctx, rnd)), route: `POST ${S}/:server/:session/xhr_send` });
    const jsid = session(rnd);
    const form = `d=${encodeURIComponent(String(body(ctx, rnd)).slice(0, 100_000))}`;
    cases.push({ ...plain('POST', `${S}/000/${jsid}/jsonp_send`, `jsonp_send ${name}`, form, { 'content-type': 'application/x-www-form-urlencoded' }), route: `POST ${S}/:server/:session/jsonp_send`, before: [plain('GET', `${S}/000/${jsid}/jsonp?c=cb`, 'open')] });
  }
  cases.push({ ...plain('POST', `${S}/000/${session(rnd)}/xhr`, 'xhr open'), route: `POST ${S}/:server/:session/xhr` });
  return cases;
}

const EIO = '/socket.io/';
function socketIoHttpCases(rnd: SeededRandom): NewHttp[] {
  const get = (query: string, mutation: string): NewHttp => ({ kind: 'http', route: `GET ${EIO}`, mutation, family: 'socketio', method: 'GET', path: `${EIO}${query}`, headers: {} });
  const cases: NewHttp[] = ['?EIO=4&transport=polling', '?EIO=99&transport=polling', '?EIO=3&transport=polling', '?EIO=4&transport=nope', '', '?EIO=%ff', '?EIO=4&transport=polling&sid=bogus', '?EIO=4&transport=websocket', '?EIO=4&transport=polling&b64=%'].map((q) => get(q, `handshake ${q || '(none)'}`));
  const bodies: Record<string, string | Buffer> = {
    garbage: 'not a packet',
    binary: garbage(rnd, 256),
    'connect-garbage-token': '40/campaigns,{"token":"garbage"}',
    'connect-token-object': '40/campaigns,{"token":{"$ne":1}}',
    'connect-deep': `40/campaigns,${deepJson(10_000, 'object')}`,
    'event-before-connect': '42/campaigns,["select_campaign",{"campaign_id":"x"}]',
    'unknown-namespace': '40/nope,',
    'huge-2mb': `40/campaigns,{"token":"${'a'.repeat(2 * 1024 * 1024)}"}`,
    'bad-packet-type': '9',
  };
  for (const [name, body] of Object.entries(bodies)) {
    const handshake = get('?EIO=4&transport=polling', 'handshake');
    cases.push({ kind: 'http', route: `POST ${EIO} (session)`, mutation: `polling ${name}`, family: 'socketio', method: 'POST', path: `${EIO}?EIO=4&transport=polling&sid={sid}`, headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: Buffer.from(body), before: [handshake] });
    cases.push({ kind: 'http', route: `POST ${EIO} (no session)`, mutation: `polling ${name}`, family: 'socketio', method: 'POST', path: `${EIO}?EIO=4&transport=polling&sid=bogus`, headers: {}, body: Buffer.from(body) });
  }
  return cases;
}

function webSocketCases(ctx: FuzzContext, rnd: SeededRandom): NewSocket[] {
  const ws = (route: string, path: string, mutation: string, frames: Array<string | Buffer>, headers: Record<string, string> = {}): NewSocket => ({ kind: 'socket', route, mutation, family: 'other', method: 'UPGRADE', path, headers, transport: 'ws', frames });
  const cases: NewSocket[] = [];
  for (const [name, frames] of Object.entries(resultFrames(ctx, rnd))) {
    cases.push(ws(`WS ${S}/websocket`, `${S}/websocket`, name, frames));
    cases.push(ws(`WS ${S}/:server/:session/websocket (SockJS)`, `${S}/000/${session(rnd)}/websocket`, name, frames.map((f) => (rnd.chance(0.5) && typeof f === 'string' ? frame([f]) : f))));
    const sio = frames.map((f) => (typeof f === 'string' ? `42/campaigns,${frame(['message', f])}` : f));
    cases.push(ws(`WS ${EIO}?transport=websocket`, `${EIO}?EIO=4&transport=websocket`, name, ['40/campaigns,{"token":"garbage"}', ...sio]));
  }
  for (const packet of ['40/campaigns,{"token":{"$ne":1}}', '40/campaigns,', '4', '9', '40/nope,', `40/campaigns,${deepJson(10_000, 'array')}`, `42/campaigns,${deepJson(10_000, 'array')}`, '2probe', '5', '6']) {
    cases.push(ws(`WS ${EIO}?transport=websocket`, `${EIO}?EIO=4&transport=websocket`, `packet ${packet.slice(0, 30)}`, [packet]));
  }
  const shellFrames: Record<string, Array<string | Buffer>> = {
    garbage: [rnd.pick(GARBAGE_TEXTS)],
    binary: [garbage(rnd, 256)],
    'auth-garbage': [frame({ type: 'auth', data: { token: 'garbage' } })],
    'auth-node-key': [frame({ type: 'auth', data: { token: ctx.nodeKey } })],
    'auth-observer': [frame({ type: 'auth', data: { token: ctx.tokens.observer } })],
    'auth-deep': [`{"type":"auth","data":${deepJson(10_000, 'object')}}`],
    'auth-proto': ['{"type":"auth","data":{"__proto__":{"token":"x"}}}'],
    'secret-garbage': ['0garbage', '1aGVsbG8='],
    'secret-operator-token': [`0${ctx.tokens.admin}`],
    'huge-frame': ['0'.repeat(2 * 1024 * 1024)],
  };
  for (const [name, frames] of Object.entries(shellFrames)) {
    for (const id of [ctx.shellSessionId, 'no-such-session', '%ff', '__proto__']) {
      cases.push(ws('WS /api/v1/fleet/shells/:id/websocket', `/api/v1/fleet/shells/${id}/websocket`, `${name} (${id === ctx.shellSessionId ? 'real session' : id})`, frames));
      cases.push(ws('WS /api/v1/shells/:id', `/api/v1/shells/${id}`, `${name} (${id === ctx.shellSessionId ? 'real session' : id})`, frames, rnd.chance(0.5) ? { authorization: `Bearer ${rnd.pick(['garbage', ctx.nodeKey, ctx.tokens.admin])}` } : {}));
    }
  }
  for (const path of ['/', '/nope', '/api/v1/fleet/nope', '/api/v1/osquery/enroll', '/console/', '/healthz', `${S}/websocket/extra`, '/api/v1/shells/', '/%ff', '/%', `${EIO}?EIO=99&transport=websocket`, `/${'n'.repeat(10_240)}`, '/api/v1/fleet/shells//websocket']) {
    cases.push(ws('WS (unknown path)', path, `unknown ${path.slice(0, 40)}`, ['hello']));
  }
  return cases;
}

function rawUpgradeCases(): NewSocket[] {
  const req = (path: string, headers: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n`;
  const wsHeaders = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
  const raws: Record<string, string> = {
    'no-key': req(`${S}/websocket`, 'Upgrade: websocket\r\nConnection: Upgrade\r\n'),
    'bad-version': req(`${S}/websocket`, wsHeaders.replace('13', '99')),
    'bad-key': req('/api/v1/fleet/shells/x/websocket', wsHeaders.replace('dGhlIHNhbXBsZSBub25jZQ==', '!!')),
    h2c: req(`${S}/websocket`, 'Upgrade: h2c\r\nConnection: Upgrade\r\n'),
    'unknown-path': req('/nope', wsHeaders),
    'pct-ff-path': req('/%ff', wsHeaders),
    'lone-pct-path': req('/api/v1/shells/%', wsHeaders),
    'post-upgrade': `POST ${S}/websocket HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n${wsHeaders}\r\nabc`,
    'absolute-url': req('http://evil.example/api/v1/fleet/results/websocket', wsHeaders),
    'star-path': req('*', wsHeaders),
    'socketio-bad-eio': req(`${EIO}?EIO=99&transport=websocket`, wsHeaders),
    'sockjs-bad-ids': req(`${S}/%ff/%ff/websocket`, wsHeaders),
  };
  return Object.entries(raws).map(([mutation, raw]) => ({ kind: 'socket', route: 'UPGRADE (raw)', mutation, family: 'other', method: 'UPGRADE', path: raw.split(' ')[1], headers: {}, transport: 'raw', frames: [], raw }));
}

export function systematicSocketCases(ctx: FuzzContext, rnd: SeededRandom): Array<NewHttp | NewSocket> {
  return [...sockJsCases(ctx, rnd), ...socketIoHttpCases(rnd), ...webSocketCases(ctx, rnd), ...rawUpgradeCases()];
}
