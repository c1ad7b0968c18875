/**
 * The operator API's edge, as a hostile client or a cross-site page meets it: bodies only as
 * application/json, bodies whose Content-Encoding lies, paths that are not percent-encoding,
 * names no spec can have, and the console's files and headers. Every answer is a 4xx in Fleet's
 * shape, nothing is applied, and no error line is logged for the client's mistake.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { ADMIN, FleetClient, setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** One request exactly as given: the path is not normalised, the body not encoded. */
function rawRequest(url: string, method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function assertFleetError(res: { status: number; body: any }, status: number, reason?: RegExp): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(typeof res.body.message, 'string', JSON.stringify(res.body));
  assert.ok(Array.isArray(res.body.errors) && res.body.errors.length > 0, JSON.stringify(res.body));
  if (reason) assert.match(res.body.errors[0].reason, reason);
}

describe('the operator edge (black box)', function () {
  this.timeout(60_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;
  const auth = () => ({ authorization: `Bearer ${admin.token}` });

  before(async () => {
    logbook = await startLogbook();
  });
  after(() => logbook.stop());

  it('refuses a cross-site setup sent as text/plain, and setup still works as JSON afterwards', async () => {
    const setup = JSON.stringify({ admin: { ...ADMIN, email: 'attacker@example.com' }, org_info: { org_name: 'Evil' }, server_url: 'https://evil.example' });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      assertFleetError(await rawRequest(logbook.url, 'POST', '/api/v1/setup', { 'content-type': type, origin: 'https://evil.example' }, setup), 415, /application\/json/);
    }
    assertFleetError(await rawRequest(logbook.url, 'POST', '/api/v1/setup', {}, setup), 415, /application\/json/);
    admin = await setUpAdmin(logbook.url);
    const attacker = await new FleetClient(logbook.url).post('/api/v1/fleet/login', { email: 'attacker@example.com', password: ADMIN.password });
    assert.equal(attacker.status, 401);
  });

  it('refuses a spec apply that is not declared JSON, and applies nothing', async () => {
    const body = JSON.stringify({ specs: [{ name: 'smuggled', query: 'SELECT 1' }] });
    assertFleetError(await rawRequest(logbook.url, 'POST', '/api/v1/fleet/spec/queries', { ...auth(), 'content-type': 'text/plain' }, body), 415);
    assert.equal((await admin.get('/api/v1/fleet/spec/queries/smuggled')).status, 404);
  });

  it('decodes gzip, deflate and brotli bodies, and answers 400 when the body does not match its encoding, 415 for an unknown encoding', async () => {
    const login = JSON.stringify({ email: ADMIN.email, password: ADMIN.password });
    const json = { 'content-type': 'application/json' };
    assert.equal((await rawRequest(logbook.url, 'POST', '/api/v1/fleet/login', { ...json, 'content-encoding': 'gzip' }, gzipSync(login))).status, 200);
    assert.equal((await rawRequest(logbook.url, 'POST', '/api/v1/fleet/login', { ...json, 'content-encoding': 'br' }, brotliCompressSync(login))).status, 200);
    for (const encoding of ['gzip', 'deflate', 'br']) {
      assertFleetError(await rawRequest(logbook.url, 'POST', '/api/v1/fleet/login', { ...json, 'content-encoding': encoding }, 'not compressed at all'), 400, /Content-Encoding/);
      assertFleetError(await rawRequest(logbook.url, 'POST', '/api/v1/setup', { ...json, 'content-encoding': encoding }, 'not compressed at all'), 400, /Content-Encoding/);
    }
    assertFleetError(await rawRequest(logbook.url, 'POST', '/api/v1/fleet/login', { ...json, 'content-encoding': 'xz' }, login), 415);
  });

  it('answers 400 to a path segment that is not valid percent-encoding', async () => {
    for (const name of ['%ff', 'a%', '%', '%e2%82']) {
      assertFleetError(await rawRequest(logbook.url, 'GET', `/api/v1/fleet/spec/queries/${name}`, auth()), 400, /percent-encoding/);
      assertFleetError(await rawRequest(logbook.url, 'GET', `/api/v1/fleet/spec/queries/${name}/history`, auth()), 400, /percent-encoding/);
    }
  });

  it('answers 422 to a spec name in the path longer than any spec may have', async () => {
    const long = 'n'.repeat(10_000);
    for (const path of [`/api/v1/fleet/spec/queries/${long}`, `/api/v1/fleet/spec/labels/${long}/history`]) {
      assertFleetError(await admin.get(path), 422, /at most 255/);
    }
    assert.equal((await admin.get(`/api/v1/fleet/spec/queries/${'n'.repeat(255)}`)).status, 404);
  });

  it('answers 404 to a missing or climbing console asset, redirects the old /console/, and serves the page with its security headers', async () => {
    for (const path of ['/assets/favicon.ico', '/assets/../../etc/passwd', '/assets/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json', '/assets/nothing.js', '/nope']) {
      const res = await rawRequest(logbook.url, 'GET', path);
      assert.equal(res.status, 404, `${path}: ${JSON.stringify(res.body)}`);
    }
    const old = await rawRequest(logbook.url, 'GET', '/console/');
    assert.equal(old.status, 301);
    assert.equal(old.headers.location, '/shells');
    const page = await rawRequest(logbook.url, 'GET', '/hosts/12');
    assert.equal(page.status, 200);
    assert.match(String(page.body), /<div id="app">/);
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-eval|script-src[^;]*unsafe-inline/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(page.headers['x-frame-options'], 'DENY');
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
  });

  it('wrote no error log line for any of these client mistakes', () => {
    const errors = logbook.output.filter((line) => /"level":"(error|fatal)"|"level":(50|60)/.test(line));
    assert.deepEqual(errors, []);
  });
});
