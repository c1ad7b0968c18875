/**
 * `fleetctl query --labels 'All Hosts' --query ...` (seed era) replayed over TLS as the binary runs
 * it (cmd/fleetctl/query.go, server/service/client_live_query.go):
 * - Client.LiveQuery POSTs /api/v1/fleet/queries/run_by_names with
 *   `{"query": ..., "selected": {"labels": [...], "hosts": [...]}}`, each list the comma-split of
 *   its flag, so a flag not given is `[""]`;
 * - then it dials wss://<address>/api/v1/fleet/results/websocket with the context's root CA,
 *   sends `auth` with its token and `select_campaign` with the campaign's id, and prints each
 *   `result` until a `status` says `finished`, when the command exits by itself.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { eventually } from '../support/eventually';
import { FakeOsqueryHost } from '../support/fake-osquery-host';
import { setUpAdmin, type FleetClient } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';
import { httpsRequest } from '../support/tls-client';

const SECRET = 'fleetctl-query-secret';

interface Message {
  type: string;
  data: any;
}

describe('fleetctl query, replayed over TLS (black box)', function () {
  this.timeout(60_000);
  let logbook: LogbookProcess;
  let admin: FleetClient;
  let ca: string;

  before(async () => {
    logbook = await startLogbook();
    admin = await setUpAdmin(logbook.url);
    ca = readFileSync(logbook.caFile!, 'utf8');
    await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: SECRET }] } });
  });
  after(() => logbook.stop());

  it('runs on a label with "hosts": [""] and streams every host\'s rows over wss until finished', async () => {
    const hosts = ['fq-1', 'fq-2'].map((name) => new FleetctlHost(logbook.url, name));
    for (const host of hosts) assert.equal((await host.osquery.enroll(SECRET)).status, 200);
    // Members of All Hosts once they answered its label query (as every osqueryd does at its first check-in).
    await eventually(async () => {
      for (const host of hosts) await host.answer();
      const listed = (await admin.get('/api/v1/fleet/hosts')).body.hosts as Array<{ id: number }>;
      assert.equal(listed.length, 2);
      for (const { id } of listed) {
        const labels = (await admin.get(`/api/v1/fleet/hosts/${id}`)).body.host.labels as Array<{ name: string }>;
        assert.ok(labels.some((label) => label.name === 'All Hosts'));
      }
    });

    const body = { query: 'SELECT hostname FROM system_info', selected: { labels: ['All Hosts'], hosts: [''] } };
    const created = await httpsRequest('POST', `${logbook.tlsUrl}/api/v1/fleet/queries/run_by_names`, { ca, token: admin.token! }, body);
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const campaignId = created.body.campaign.id as number;
    assert.equal(created.body.campaign.Metrics.TotalHosts, 2);

    const socket = new WebSocket(`${logbook.tlsUrl!.replace(/^https/, 'wss')}/api/v1/fleet/results/websocket`, { ca });
    const messages: Message[] = [];
    const finished = new Promise<void>((resolve, reject) => {
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as Message;
        messages.push(message);
        if (message.type === 'status' && message.data.status === 'finished') resolve();
        if (message.type === 'error') reject(new Error(`error frame: ${message.data}`));
      });
      socket.on('error', reject);
    });
    await new Promise<void>((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.send(JSON.stringify({ type: 'auth', data: { token: admin.token } }));
    socket.send(JSON.stringify({ type: 'select_campaign', data: { campaign_id: campaignId } }));

    await eventually(async () => {
      for (const host of hosts) await host.answer();
      assert.equal(messages.filter((message) => message.type === 'result').length, 2);
    });
    await finished;
    socket.close();
    const rows = messages.filter((message) => message.type === 'result').map((message) => [message.data.host.hostname, message.data.rows]);
    assert.deepEqual(rows.sort(), [
      ['fq-1', [{ hostname: 'fq-1' }]],
      ['fq-2', [{ hostname: 'fq-2' }]],
    ]);
    assert.ok(messages.some((message) => message.type === 'totals' && message.data.count === 2));
  });

  it('keeps Fleet\'s 400 for a label that does not exist, with empty names ignored', async () => {
    const body = { query: 'SELECT 1', selected: { labels: ['', 'No Such Label'], hosts: [''] } };
    const refused = await httpsRequest('POST', `${logbook.tlsUrl}/api/v1/fleet/queries/run_by_names`, { ca, token: admin.token! }, body);
    assert.equal(refused.status, 400);
    assert.match(refused.body.errors[0].reason, /unknown label: No Such Label$/);
    const nothing = await httpsRequest('POST', `${logbook.tlsUrl}/api/v1/fleet/queries/run_by_names`, { ca, token: admin.token! }, { query: 'SELECT 1', selected: { labels: [''], hosts: [''] } });
    assert.equal(nothing.status, 400, 'nothing targeted');
    assert.match(nothing.body.errors[0].reason, /no hosts targeted/);
  });
});

/** A host that is a member of every label it is asked about, and answers every live query with its own hostname. */
class FleetctlHost {
  readonly osquery: FakeOsqueryHost;

  constructor(url: string, readonly name: string) {
    this.osquery = new FakeOsqueryHost(url, name, 'ubuntu');
  }

  async answer(): Promise<void> {
    await this.osquery.read();
    await this.osquery.answerAll((query) => {
      if (query.startsWith('fleet_distributed_query_')) return [{ hostname: this.name }];
      if (query.startsWith('fleet_label_query_')) return [{ member: '1' }];
      return null;
    });
  }
}
