/**
 * HTTPS (black box): Logbook serves the same app on TLS_PORT as on PORT, with a certificate it
 * made (trusted by the chain GET /config/certificate gives) or the operator's. Real clients over
 * TLS: the host simulator enrolls and answers a live query, a ws watcher and the watch-campaign
 * command stream it over wss. Bad input on the TLS port (garbage, plain HTTP) is dropped at the
 * handshake and leaves the server serving and its log clean.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { startHostSimulator, type HostSimulator } from '../../services/host-simulator';
import { startLauncherSimulator } from '../../services/launcher-simulator/launcher-simulator';
import { watchCampaign, type GatewayMessage } from '../../services/results-watcher/watcher-transports';
import { issueCa, issueServerCertificate } from '../../shared/tls/x509-issuer';
import { eventually } from '../support/eventually';
import { FleetClient, setUpAdmin } from '../support/fleet-client';
import { newDataDir, startLogbook, type LogbookProcess } from '../support/logbook-process';
import { joinAsOperator } from '../support/shell-client';
import { httpsRequest } from '../support/tls-client';

const SECRET = 'tls-secret';
const WATCH_CAMPAIGN = resolve(__dirname, '../../services/results-watcher/main.js');
const README = resolve(__dirname, '../../../README.md');

/** The flagfile README's "Connect a real osquery host" shows. */
function readmeFlagfile(): string {
  const section = readFileSync(README, 'utf8').split('## Connect a real osquery host')[1] ?? '';
  const block = /```\n(--tls_hostname=[\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README shows no flagfile');
  return block[1]!;
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [WATCH_CAMPAIGN, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

/** Writes `bytes` to the port and resolves once the server closed the connection. */
function sendAndWaitForClose(port: number, bytes: Buffer | string): Promise<string> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => done(received));
    socket.write(bytes);
  });
}

function errorLines(logbook: LogbookProcess): string[] {
  return logbook.output.filter((line) => {
    try {
      return (JSON.parse(line) as { level?: number }).level! >= 50;
    } catch {
      return true; // anything not a JSON log line (a stack trace) counts
    }
  });
}

describe('HTTPS (black box)', function () {
  this.timeout(120_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;
  let chainFile: string;
  let chain: string;
  let simulator: HostSimulator | undefined;

  before(async () => {
    logbook = await startLogbook();
    admin = await setUpAdmin(logbook.url);
    await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: SECRET }] } });
  });
  after(async () => {
    await simulator?.stop();
    await logbook.stop();
  });

  it('serves the same API over TLS, trusted by the chain GET /config/certificate returns', async () => {
    assert.ok(logbook.tlsUrl && logbook.caFile);
    const ca = readFileSync(logbook.caFile, 'utf8');
    const answer = await httpsRequest('GET', `${logbook.tlsUrl}/api/v1/fleet/config/certificate`, { ca, token: admin.token! });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    chain = Buffer.from(answer.body.certificate_chain, 'base64').toString('utf8');
    assert.equal(chain, readFileSync(join(logbook.dataDir, 'tls/server.pem'), 'utf8') + ca);
    chainFile = join(newDataDir(), 'chain.pem');
    writeFileSync(chainFile, chain);
    const me = await httpsRequest('GET', `${logbook.tlsUrl}/api/v1/fleet/me`, { ca: chain, token: admin.token!, servername: 'localhost' });
    assert.equal(me.status, 200);
    assert.equal(me.body.user.email, 'admin@example.com');
    const unauthenticated = await httpsRequest('GET', `${logbook.tlsUrl}/api/v1/fleet/config/certificate`, { ca });
    assert.equal(unauthenticated.status, 401);
  });

  it('refuses a client that does not trust the certificate, and keeps the same CA across restarts', async () => {
    await assert.rejects(httpsRequest('GET', `${logbook.tlsUrl}/healthz`, {}), /self-signed|unable to verify|certificate/i);
    const caBefore = readFileSync(logbook.caFile!, 'utf8');
    await logbook.stop();
    logbook = await startLogbook({ dataDir: logbook.dataDir, env: { TLS_HOSTNAMES: 'logbook.example.test' } });
    admin = new FleetClient(logbook.url, admin.token);
    assert.equal(readFileSync(logbook.caFile!, 'utf8'), caBefore, 'the CA is kept');
    const renewed = await httpsRequest('GET', `${logbook.tlsUrl}/healthz`, { ca: caBefore, servername: 'logbook.example.test' });
    assert.equal(renewed.status, 200, 'the server certificate was issued again for the new name');
  });

  it('prints an osqueryd flagfile pointing at the TLS port', async () => {
    const client = new FleetClient(logbook.url, admin.token);
    const flagfile = await client.get('/api/v1/fleet/osquery/flagfile');
    assert.equal(flagfile.status, 200);
    const tlsPort = new URL(logbook.tlsUrl!).port;
    assert.match(flagfile.body, new RegExp(`^--tls_hostname=127\\.0\\.0\\.1:${tlsPort}$`, 'm'));
    const named = await client.get('/api/v1/fleet/osquery/flagfile?tls_hostname=logbook.example.com:8443');
    assert.equal(named.body, readmeFlagfile(), "README's flagfile is the one served");
  });

  it('enrolls the host simulator over https with that chain, and streams a live query to watchers over wss', async () => {
    simulator = await startHostSimulator({ url: logbook.tlsUrl!, enrollSecret: SECRET, hosts: 3, seed: 'tls', ca: readFileSync(chainFile, 'utf8'), distributedIntervalSec: 1, accelerateIntervalSec: 1 });
    await simulator.ready;
    await eventually(async () => {
      const hosts = (await admin.get('/api/v1/fleet/hosts?status=online')).body.hosts;
      assert.equal(hosts.length, 3);
      assert.ok(hosts.every((host: { labels: unknown[] }) => host.labels.length >= 2), 'labels known');
    }, 30_000);
    const started = await admin.post('/api/v1/fleet/queries/run_by_names', { query: 'SELECT hostname FROM system_info', selected: { labels: ['All Hosts'] } });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    const campaignId = started.body.campaign.id as number;
    const messages = await new Promise<GatewayMessage[]>((done, reject) => {
      const seen: GatewayMessage[] = [];
      const watch = watchCampaign('websocket', logbook.tlsUrl!, admin.token!, campaignId, {
        onMessage(message) {
          seen.push(message);
          if (message.type === 'status' && (message.data as { status?: string }).status === 'finished') {
            watch.close();
            done(seen);
          }
        },
        onClose: (reason) => reject(new Error(`closed: ${reason}; saw ${JSON.stringify(seen)}`)),
      }, { ca: chain, insecure: false });
    });
    assert.equal(messages.filter((message) => message.type === 'result').length, 3);
    for (const transport of ['websocket', 'sockjs', 'socketio']) {
      const cli = await run(['--url', logbook.tlsUrl!, '--ca', chainFile, '--token', admin.token!, '--campaign', String(campaignId), '--transport', transport]);
      assert.equal(cli.code, 0, `${transport}: ${cli.stderr}`);
      assert.equal(cli.stdout.trim().split('\n').filter((line) => JSON.parse(line).type === 'result').length, 3, transport);
    }
    const untrusted = await run(['--url', logbook.tlsUrl!, '--token', admin.token!, '--campaign', String(campaignId)]);
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stderr, /certificate/i);
  });

  it('runs a remote shell for the launcher simulator over https and wss with the chain', async () => {
    const launcher = await startLauncherSimulator({ url: logbook.tlsUrl!, enrollSecret: SECRET, hostname: 'tls-launcher', pollIntervalMs: 100, shell: '/bin/sh', trust: { ca: chain, insecure: false } });
    try {
      const host = await eventually(async () => {
        const found = ((await admin.get('/api/v1/fleet/shells/hosts')).body.hosts as Array<{ host_id: number; hostname: string }>).find((h) => h.hostname === 'tls-launcher');
        assert.ok(found, 'tls-launcher listed as shell-enabled');
        return found;
      }, 20_000);
      const requested = await admin.post(`/api/v1/fleet/hosts/${host.host_id}/shells`);
      assert.equal(requested.status, 200, JSON.stringify(requested.body));
      // The operator joins over plain HTTP on the same server; the shell's output crossed the launcher's wss.
      const operator = await joinAsOperator(logbook.url, requested.body.session_id as string, admin.token!);
      operator.send('1echo "sum=$((40+2))"\r');
      await operator.waitForOutput(/sum=42/);
      operator.socket.close(1000);
    } finally {
      await launcher.stop();
    }
  });

  it('drops garbage and plain HTTP sent to the TLS port at the handshake, and keeps serving with nothing logged', async () => {
    const port = Number(new URL(logbook.tlsUrl!).port);
    const errorsBefore = errorLines(logbook).length;
    // At most a TLS alert record (content type 0x15) comes back before the close.
    const garbage = await sendAndWaitForClose(port, Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff, 0xde, 0xad, 0xbe, 0xef, ...Array(200).fill(0x41)]));
    assert.ok(garbage === '' || garbage.startsWith('\x15'), JSON.stringify(garbage));
    const plain = await sendAndWaitForClose(port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    assert.ok(plain === '' || plain.startsWith('\x15'), JSON.stringify(plain));
    const healthy = await httpsRequest('GET', `${logbook.tlsUrl}/healthz`, { ca: chain });
    assert.equal(healthy.status, 200);
    assert.equal((await fetch(`${logbook.url}/healthz`)).status, 200);
    assert.deepEqual(errorLines(logbook).slice(errorsBefore), []);
  });
});

describe("HTTPS with the operator's certificate (black box)", function () {
  this.timeout(60_000);

  it('serves TLS_CERT with TLS_KEY, PLAIN_HTTP=false leaves only HTTPS, and the chain is that file', async () => {
    const dir = newDataDir();
    const ca = await issueCa('Operator test CA');
    const server = await issueServerCertificate(ca, ['localhost', '127.0.0.1']);
    writeFileSync(join(dir, 'cert.pem'), server.certPem);
    writeFileSync(join(dir, 'key.pem'), server.keyPem);
    const logbook = await startLogbook({ env: { TLS_CERT: join(dir, 'cert.pem'), TLS_KEY: join(dir, 'key.pem'), PLAIN_HTTP: 'false' } });
    try {
      assert.equal(logbook.caFile, null);
      assert.equal(logbook.url, logbook.tlsUrl);
      const listening = logbook.output.map((line) => JSON.parse(line) as { msg?: string; port?: unknown }).find((entry) => entry.msg === 'operator API listening');
      assert.equal(listening?.port, null, 'no plain HTTP listener');
      const setup = await httpsRequest('POST', `${logbook.tlsUrl}/api/v1/setup`, { ca: ca.certPem }, {
        admin: { email: 'op@example.com', password: 'correct-horse-1!', name: 'Op' }, org_info: { org_name: 'Op' }, server_url: logbook.tlsUrl,
      });
      assert.equal(setup.status, 200, JSON.stringify(setup.body));
      const chain = await httpsRequest('GET', `${logbook.tlsUrl}/api/v1/fleet/config/certificate`, { ca: ca.certPem, token: setup.body.token });
      assert.equal(Buffer.from(chain.body.certificate_chain, 'base64').toString('utf8'), server.certPem);
    } finally {
      await logbook.stop();
    }
  });
});
