/**
 * The compose topology, black box, through its one HTTPS origin (test/support/compose-topology.ts:
 * every Logbook service of docker-compose.yml as its own process — two agent APIs, two results
 * gateways, two shell brokers relaying through Kafka — behind nginx running infra/nginx/logbook.conf,
 * over one embedded event store shared by the processes, the MongoDB stand-in and a real Kafka):
 * setup and specs as fleetctl sends them, simulated hosts enrolling and checking in, a live
 * query watched over WebSocket, SockJS and Socket.IO, a remote shell whose two sides are on
 * different brokers (and one through the origin with the launcher simulator); then kill -9 of one agent
 * API and one gateway mid-campaign: every answered result reaches each watcher exactly once
 * (a watcher whose gateway died reconnects and gets the campaign replayed once), and hosts keep
 * checking in through the survivor.
 *
 * Trust: hosts (the simulator), the fleetctl replay, the WebSocket and Socket.IO watchers verify
 * the certificate nginx serves against Logbook's CA. fetch and sockjs-client cannot take a CA, so
 * the rest (FleetClient, SockJS, the shell sockets) run with NODE_TLS_REJECT_UNAUTHORIZED=0 for
 * this file only.
 */
import assert from 'node:assert/strict';
import { startHostSimulator, type HostSimulator } from '../../services/host-simulator';
import { startLauncherSimulator } from '../../services/launcher-simulator/launcher-simulator';
import * as current from '../fixtures/fleetctl-current-requests';
import { setup, type ReplayedRequest } from '../fixtures/fleetctl-seed-requests';
import { startTopology, type Topology } from '../support/compose-topology';
import { eventually } from '../support/eventually';
import { expect200, replay } from '../support/fleetctl-replay';
import { FleetClient } from '../support/fleet-client';
import { startRestartableKafkaBroker } from '../support/kafka-broker';
import { mongoUrl } from '../support/mongo-stand-in';
import { newDataDir } from '../support/logbook-process';
import { enrollHost, joinAsLauncher, joinAsOperator, pollShells } from '../support/shell-client';
import { httpsRequest } from '../support/tls-client';
import { connectSocketIoWatcher, connectSockJsWatcher, connectWebSocketWatcher, isType, type WatcherClient } from '../support/watcher-clients';

const HOSTS = 8;
const SECRET = 'topology-enroll-secret';
/** Hosts the remote shell case enrolls, besides the simulated ones. */
const SHELL_HOSTNAMES = ['topology-shell-host', 'topology-sim-launcher'];

type Kind = 'websocket' | 'sockjs' | 'socket.io';

/** A watcher that reconnects (and selects the campaign again) when its gateway goes away. */
class ResilientWatcher {
  connection!: WatcherClient;
  connections = 0;
  private stopped = false;

  constructor(
    readonly kind: Kind,
    private readonly origin: string,
    private readonly token: string,
    private readonly campaignId: number,
    private readonly ca: string,
  ) {}

  async connect(): Promise<void> {
    const origin = this.origin;
    const connection =
      this.kind === 'websocket'
        ? await connectWebSocketWatcher(origin.replace(/^https/, 'wss'), { ca: this.ca })
        : this.kind === 'sockjs'
          ? await connectSockJsWatcher(origin)
          : await connectSocketIoWatcher(origin, this.token, { ca: this.ca });
    if (this.kind !== 'socket.io') connection.send('auth', { token: this.token });
    connection.send('select_campaign', { campaign_id: this.campaignId });
    this.connection = connection;
    this.connections += 1;
    void connection.closed.then(() => {
      if (!this.stopped) void this.reconnect();
    });
  }

  private async reconnect(): Promise<void> {
    for (let attempt = 0; attempt < 50 && !this.stopped; attempt += 1) {
      try {
        return await this.connect();
      } catch {
        await new Promise((done) => setTimeout(done, 200));
      }
    }
  }

  /** Host ids of the results on the current connection. */
  resultHosts(): number[] {
    return this.connection.frames.filter(isType('result')).map((frame) => frame.data.host.id as number);
  }

  close(): void {
    this.stopped = true;
    this.connection?.close();
  }
}

describe('the compose topology through one origin (black box)', function () {
  this.timeout(150_000);
  let topology: Topology;
  let admin: FleetClient;
  let token: string;
  let simulator: HostSimulator | undefined;
  const previousTlsSetting = process.env.NODE_TLS_REJECT_UNAUTHORIZED;

  before(async function () {
    this.timeout(900_000); // the first Kafka or stand-in start on a machine builds with Maven
    const kafka = await startRestartableKafkaBroker();
    topology = await startTopology({ dataDir: newDataDir(), mongoUrl: await mongoUrl(), kafkaBrokers: kafka.address, mongoDatabase: `topology_${Date.now()}` });
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // the operator-side clients below; see the header
  });

  afterEach(function () {
    if (!topology) return;
    const crashed = [...topology.services.values()].filter((service) => service.crashed);
    // A failure's story is in the services' logs: the last lines of each.
    if (this.currentTest?.state === 'failed' || crashed.length > 0) {
      for (const service of topology.services.values()) process.stderr.write(`--- ${service.name} (whole log: ${service.logFile})\n${service.output.slice(-15).join('\n')}\n`);
    }
    // A service that died on its own fails the suite there (mocha skips the tests after a failed
    // hook), whatever the test saw: what follows would run on a topology it does not describe.
    if (crashed.length > 0) throw new Error(`services died on their own: ${crashed.map((service) => `${service.name} ${service.crashed} (log: ${service.logFile})`).join('; ')}`);
  });

  after(async () => {
    await simulator?.stop();
    await topology?.stop();
    if (previousTlsSetting === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previousTlsSetting;
  });

  it('serves every service on one HTTPS origin with the certificate Logbook made', async () => {
    const trust = { ca: topology.caPem };
    assert.equal((await httpsRequest('GET', `${topology.origin}/healthz`, trust)).status, 200, 'the operator API');
    const root = await httpsRequest('GET', `${topology.origin}/`, trust);
    assert.equal(root.status, 200, 'the operator console, from the API');
    assert.match(String(root.headers['content-security-policy']), /frame-ancestors 'none'/);
    const oldShellPage = await httpsRequest('GET', `${topology.origin}/console/`, trust);
    assert.equal(oldShellPage.status, 301, 'the old shell page redirects to the console');
    assert.equal(oldShellPage.headers.location, '/shells');
    assert.equal((await httpsRequest('POST', `${topology.origin}/api/v1/shells`, trust, { node_key: 'nope' })).body.node_invalid, true, 'the launcher poll, from the shell broker');
    const enroll = await httpsRequest('POST', `${topology.origin}/api/v1/osquery/enroll`, trust, { enroll_secret: 'nope' });
    assert.equal(typeof enroll.body.node_invalid, 'boolean', 'the osquery API (its error shape), from an agent API');
    assert.equal((await httpsRequest('GET', `${topology.origin}/metrics`, trust)).status, 404, 'no service metrics on the public origin');
  });

  it('takes setup, login and specs as fleetctl sends them (/api/v1 and /api/latest)', async () => {
    const origin = topology.origin;
    const ca = topology.caPem; // fleetctl --tls-ca: verified
    expect200(await replay(origin, setup(origin), undefined, ca), setup(origin));
    const login = current.login({ email: 'fleetctl-admin@example.com', password: 'fleetctl-pass-1!' });
    token = expect200(await replay(origin, login, undefined, ca), login).token;
    admin = new FleetClient(origin, token);
    for (const sent of [...current.beforeEveryCommand, ...current.applyRequests]) expect200(await replay(origin, sent, token, ca), sent);
    const secret: ReplayedRequest = { why: 'enroll secret', method: 'POST', path: '/api/latest/fleet/spec/enroll_secret', body: JSON.stringify({ spec: { secrets: [{ secret: SECRET }] } }) };
    expect200(await replay(origin, secret, token, ca), secret);
  });

  it('enrolls simulated hosts, which check in through both agent APIs', async () => {
    simulator = await startHostSimulator({
      url: topology.origin,
      ca: topology.caPem,
      enrollSecret: SECRET,
      hosts: HOSTS,
      seed: 'topology',
      platformMix: { darwin: 1, ubuntu: 1, centos: 0, windows: 1 },
      distributedIntervalSec: 1,
      accelerateIntervalSec: 1,
      configRefreshSec: 5,
      loggerTlsPeriodSec: 5,
    });
    await simulator.ready;
    await eventually(async () => {
      const hosts = (await admin.get('/api/v1/fleet/hosts?status=online')).body.hosts;
      assert.equal(hosts?.length, HOSTS);
      assert.ok(hosts.every((host: { labels: unknown[] }) => host.labels.length >= 2), 'label memberships reported (All Hosts and the platform)');
    }, 60_000, 250);
    for (const name of ['agent-api', 'agent-api-2']) {
      const metrics = await fetch(`http://${topology.services.get(name)!.address}:${topology.services.get(name)!.port}/metrics`).then((res) => res.text());
      assert.match(metrics, /distributed\/read|osquery/, `${name} served check-ins`);
    }
  });

  it('pairs a remote shell whose two sides are on different brokers; a broker death ends only the sessions it carried', async () => {
    const origin = topology.origin;
    const brokerUrl = (name: string) => `http://${topology.services.get(name)!.address}:${topology.services.get(name)!.port}`;
    const [one, two] = [brokerUrl('shell-broker'), brokerUrl('shell-broker-2')];
    const nodeKey = await enrollHost(origin, 'topology-shell-host', SECRET);
    // Each broker learns the enrollment from the shared event log, a moment after the agent API wrote it.
    for (const broker of [one, two]) await eventually(async () => assert.equal((await pollShells(broker, nodeKey)).status, 200), 10_000, 50);
    const hostId = await eventually(async () => {
      const hosts = (await admin.get('/api/v1/fleet/shells/hosts')).body.hosts as Array<{ host_id: number; hostname: string }>;
      const host = hosts.find((candidate) => candidate.hostname === 'topology-shell-host');
      assert.ok(host, 'the host opted in');
      return host.host_id;
    }, 20_000, 100);
    /** A session requested through the origin, its secret polled at `pollAt`, its sides joined where told. */
    const session = async (pollAt: string, launcherAt: string, operatorAt: string) => {
      const requested = await admin.post(`/api/v1/fleet/hosts/${hostId}/shells`);
      assert.equal(requested.status, 200, JSON.stringify(requested.body));
      const handout = await eventually(async () => {
        const found = (await pollShells(pollAt, nodeKey)).body.sessions.find((candidate: { session_id: string }) => candidate.session_id === requested.body.session_id);
        assert.ok(found, 'the poll hands out the session it was asked for, whichever broker took the request');
        return found as { session_id: string; secret: string };
      }, 10_000, 50);
      const launcher = await joinAsLauncher(launcherAt, handout.session_id, handout.secret);
      const operator = await joinAsOperator(operatorAt, handout.session_id, token);
      return { launcher, operator, id: handout.session_id };
    };
    const output = (text: string) => `1${Buffer.from(text).toString('base64')}`;

    // Launcher on one broker, operator on the other, each connected to its broker's own address.
    const split = await session(two, one, two);
    const inputs = Array.from({ length: 200 }, (_, i) => output(`key ${i}\n`));
    for (const input of inputs) split.operator.send(input);
    await split.launcher.waitFor(() => split.launcher.frames.length >= inputs.length, 'every input at the launcher');
    assert.deepEqual(split.launcher.frames, inputs, 'operator to launcher: every frame once, in order');
    const big = output('x'.repeat(700 * 1024)); // ~933 KiB: over the relay's part size, under the launcher's frame limit
    const outputs = [...Array.from({ length: 200 }, (_, i) => output(`line ${i}\n`)), big, output('done\n')];
    for (const frame of outputs) split.launcher.send(frame);
    await split.operator.waitFor(() => split.operator.frames.length >= outputs.length, 'every output at the operator', 30_000);
    assert.deepEqual(split.operator.frames, outputs, 'launcher to operator: every frame once, in order, the big one whole');
    // The relay hands out a secret once: the other broker no longer has it.
    assert.ok(!(await pollShells(one, nodeKey)).body.sessions.some((s: { session_id: string }) => s.session_id === split.id), 'a secret is handed out once');

    // Through the origin (nginx spreads shell requests over both brokers), with the real launcher.
    const launcherSim = await startLauncherSimulator({ url: origin, enrollSecret: SECRET, hostname: 'topology-sim-launcher', pollIntervalMs: 200, shell: '/bin/sh', trust: { ca: topology.caPem, insecure: false } });
    try {
      const simHostId = await eventually(async () => {
        const hosts = (await admin.get('/api/v1/fleet/shells/hosts')).body.hosts as Array<{ host_id: number; hostname: string }>;
        const host = hosts.find((candidate) => candidate.hostname === 'topology-sim-launcher');
        assert.ok(host, 'the simulated launcher opted in');
        return host.host_id;
      }, 30_000, 100);
      for (let round = 0; round < 3; round += 1) {
        const requested = await admin.post(`/api/v1/fleet/hosts/${simHostId}/shells`);
        assert.equal(requested.status, 200, JSON.stringify(requested.body));
        await launcherSim.pollNow();
        const operator = await joinAsOperator(origin, requested.body.session_id, token);
        operator.send(`1echo through-origin-${round}\n`); // input frames carry the keystrokes as they are
        await operator.waitForOutput(new RegExp(`through-origin-${round}`), 20_000);
        operator.socket.close();
        await operator.closed;
      }
    } finally {
      await launcherSim.stop();
    }

    // A session entirely on shell-broker-2, then kill -9 shell-broker: the split session ends at both ends, the other lives on.
    const onTwo = await session(two, two, two);
    await topology.services.get('shell-broker')!.kill();
    const [launcherClosed, operatorClosed] = await Promise.all([split.launcher.closed, split.operator.closed]);
    assert.ok(launcherClosed.code !== 1000, 'the side on the dead broker is cut');
    assert.equal(operatorClosed.code, 4410, `the side on the survivor is closed with a reason: ${operatorClosed.reason}`);
    onTwo.operator.send(output('still here\n'));
    await onTwo.launcher.waitFor(() => onTwo.launcher.frames.includes(output('still here\n')), 'the survivor’s own session still relays');
    onTwo.operator.socket.close();
    await onTwo.launcher.closed;
    await eventually(async () => {
      const shells = (await admin.get('/api/v1/fleet/shells')).body.shells as Array<{ session_id: string; status: string }>;
      assert.equal(shells.find((shell) => shell.session_id === split.id)?.status, 'closed', 'the survivor records the split session closed');
    }, 10_000, 100);
    // New sessions through the origin go to the survivor.
    const after = await session(origin, origin, origin);
    after.operator.send(output('after\n'));
    await after.launcher.waitFor(() => after.launcher.frames.includes(output('after\n')), 'a new session after the death');
    after.operator.socket.close();
  });

  it('delivers every answer once to each watcher while an agent API and a gateway are killed mid-campaign', async () => {
    const run = await admin.post('/api/v1/fleet/queries/run_by_names', { query: 'SELECT hostname FROM system_info', selected: { labels: ['All Hosts'] } });
    assert.equal(run.status, 200, JSON.stringify(run.body));
    const campaignId = run.body.campaign.id as number;
    const watchers = (['websocket', 'sockjs', 'socket.io'] as Kind[]).map((kind) => new ResilientWatcher(kind, topology.origin, token, campaignId, topology.caPem));
    await Promise.all(watchers.map((watcher) => watcher.connect()));
    // Mid-campaign: once the first answers are in, kill -9 one agent API and one gateway.
    await eventually(async () => assert.ok(watchers.some((watcher) => watcher.resultHosts().length > 0)), 30_000, 20);
    const killedAt = Date.now();
    await Promise.all([topology.services.get('agent-api')!.kill(), topology.services.get('results-gateway')!.kill()]);

    const enrolled = ((await admin.get('/api/v1/fleet/hosts')).body.hosts as Array<{ id: number; hostname: string }>).filter((host) => !SHELL_HOSTNAMES.includes(host.hostname));
    assert.equal(enrolled.length, HOSTS);
    const everyHost = enrolled.map((host) => host.id).sort((a, b) => a - b);
    // An answer in flight to the killed agent API is lost with it (the host saw the request fail);
    // the survivor asks that host again once a minute has passed since it handed the query out
    // (live-campaigns.ts), hence the wait of up to 80 s.
    for (const watcher of watchers) {
      const seen = await eventually(async () => {
        const hosts = watcher.resultHosts();
        assert.deepEqual([...new Set(hosts)].sort((a, b) => a - b), everyHost, `${watcher.kind}: every host's answer; frames ${JSON.stringify(watcher.connection.frames.filter((frame) => frame.type !== 'result')).slice(0, 600)}`);
        return hosts;
      }, 80_000, 100);
      assert.equal(seen.length, new Set(seen).size, `${watcher.kind}: each answer once (on connection ${watcher.connections})`);
    }
    for (const watcher of watchers) watcher.close();

    // Hosts keep checking in, through the surviving agent API.
    await eventually(async () => {
      const hosts = (await admin.get('/api/v1/fleet/hosts')).body.hosts as Array<{ hostname: string; seen_time: string; status: string }>;
      const simulated = hosts.filter((host) => !SHELL_HOSTNAMES.includes(host.hostname));
      assert.ok(simulated.every((host) => Date.parse(host.seen_time) > killedAt + 1_000), 'seen after the kill');
      assert.ok(simulated.every((host) => host.status === 'online'));
    }, 30_000, 250);
  });
});
