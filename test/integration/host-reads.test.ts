/**
 * The host reads served from indexes, groups and counters (issue 13), black box, on the embedded
 * store and on the MongoDB stand-in: every filter and sort key of GET /hosts with paging, counts,
 * summary, identifier lookups, a label's hosts, policy counts, target search and a campaign on a
 * label, and hostile input answered with Fleet's error shape or an empty page.
 */
import assert from 'node:assert/strict';
import { eventually } from '../support/eventually';
import { FakeOsqueryHost, type Platform } from '../support/fake-osquery-host';
import { FleetClient, setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';
import { mongoUrl } from '../support/mongo-stand-in';

const SECRET = 'host-reads-secret';
const TEAM_SECRET = 'host-reads-team-secret';
const PLATFORMS: Platform[] = ['darwin', 'ubuntu', 'centos', 'windows'];
const HOSTS = 10;
const TEAM_HOSTS = 3;

type Host = { id: number; hostname: string; platform: string; team_id: number | null; status: string; display_name: string; uuid: string };

for (const store of ['embedded', 'mongodb'] as const) {
  describe(`host reads from indexes and counters (black box, ${store})`, function () {
    this.timeout(120_000);
    let logbook: LogbookProcess;
    let admin: FleetClient;
    let labels: Record<string, number>;
    let teamId: number;
    const hostnames = Array.from({ length: HOSTS }, (_, i) => `node-${String(i).padStart(2, '0')}.corp.example`);

    const list = async (query: string): Promise<Host[]> => {
      const res = await admin.get(`/api/v1/fleet/hosts${query}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.hosts;
    };
    const names = (hosts: Host[]) => hosts.map((host) => host.hostname);
    const count = async (query: string): Promise<number> => {
      const res = await admin.get(`/api/v1/fleet/hosts/count${query}`);
      assert.equal(res.status, 200, `${query}: ${JSON.stringify(res.body)}`);
      return res.body.count;
    };

    before(async () => {
      const env: Record<string, string> = store === 'mongodb' ? { MONGO_URL: await mongoUrl(), MONGO_DB: `logbook_host_reads_${process.pid}_${Date.now().toString(36)}` } : {};
      logbook = await startLogbook({ env });
      admin = await setUpAdmin(logbook.url);
      await admin.post('/api/v1/fleet/spec/enroll_secret', { spec: { secrets: [{ secret: SECRET }] } });
      await admin.post('/api/v1/fleet/spec/teams', { specs: [{ name: 'Servers', secrets: [{ secret: TEAM_SECRET }] }] });
      await admin.post('/api/v1/fleet/spec/labels', { specs: [{ name: 'picked', label_membership_type: 'manual', hosts: [hostnames[1], hostnames[4]] }] });
      await admin.post('/api/v1/fleet/spec/policies', { specs: [{ name: 'always', query: 'SELECT 1;' }] });
      labels = Object.fromEntries(((await admin.get('/api/v1/fleet/spec/labels')).body.specs as Array<{ id: number; name: string }>).map((label) => [label.name, label.id]));
      teamId = ((await admin.get('/api/v1/fleet/teams')).body.teams as Array<{ id: number; name: string }>).find((team) => team.name === 'Servers')!.id;
      for (let i = 0; i < HOSTS; i += 1) {
        const host = new FakeOsqueryHost(logbook.url, hostnames[i], PLATFORMS[i % PLATFORMS.length]);
        assert.equal((await host.enroll(i < TEAM_HOSTS ? TEAM_SECRET : SECRET)).status, 200);
        // Every host is in All Hosts and its platform's label; even hosts pass the policy.
        await host.answerLikeARealHost((name) => (name.startsWith('fleet_policy_query_') ? (i % 2 === 0 ? [{ '1': '1' }] : []) : undefined));
      }
      await eventually(async () => assert.equal(await count(`?label_id=${labels['All Hosts']}`), HOSTS), 30_000);
    });
    after(() => logbook?.stop());

    it('pages the hosts in id order, either direction, and by every sort key', async () => {
      const all = await list('?per_page=100');
      assert.equal(all.length, HOSTS);
      const ids = all.map((host) => host.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
      assert.deepEqual((await list('?per_page=3&page=1')).map((host) => host.id), ids.slice(3, 6));
      assert.deepEqual((await list('?per_page=4&page=0&order_direction=desc')).map((host) => host.id), [...ids].reverse().slice(0, 4));
      assert.deepEqual(names(await list('?order_key=hostname&order_direction=desc&per_page=2&page=1')), [...hostnames].sort().reverse().slice(2, 4));
      assert.deepEqual(names(await list('?order_key=display_name&per_page=100')), [...hostnames].sort());
      for (const key of ['computer_name', 'platform', 'os_version', 'osquery_version', 'primary_ip', 'hardware_serial', 'uuid', 'memory', 'created_at', 'updated_at', 'last_enrolled_at', 'seen_time']) {
        assert.equal((await list(`?order_key=${key}&per_page=100`)).length, HOSTS, key);
      }
      assert.deepEqual(await list('?page=1000000&per_page=10000'), []);
    });

    it('filters by team, platform, label and status, alone and combined, with counts that agree', async () => {
      const servers = await list(`?team_id=${teamId}`);
      assert.deepEqual(names(servers), hostnames.slice(0, TEAM_HOSTS));
      assert.equal(await count(`?team_id=${teamId}`), TEAM_HOSTS);
      assert.deepEqual(names(await list('?platform=ubuntu')), [hostnames[1], hostnames[5], hostnames[9]]);
      assert.deepEqual(names(await list(`?platform=ubuntu&team_id=${teamId}`)), [hostnames[1]]);
      assert.deepEqual(names(await list(`?label_id=${labels['Ubuntu Linux']}&order_key=hostname&order_direction=desc`)), [hostnames[9], hostnames[5], hostnames[1]]);
      assert.deepEqual(names(await list(`?label_id=${labels.picked}`)), [hostnames[1], hostnames[4]]);
      assert.equal(await count(`?label_id=${labels.picked}`), 2);
      await eventually(async () => assert.equal((await list('?status=online')).length, HOSTS), 20_000);
      assert.equal(await count('?status=online'), HOSTS);
      assert.equal(await count('?status=offline'), 0);
      assert.equal(await count('?status=mia'), 0);
      assert.equal(await count('?status=new'), HOSTS);
      assert.equal(await count(`?status=online&team_id=${teamId}`), TEAM_HOSTS);
      assert.deepEqual(names(await list(`?status=online&platform=darwin&team_id=${teamId}`)), [hostnames[0]]);
      assert.equal((await list(`?status=new&label_id=${labels.macOS}&team_id=${teamId}&platform=darwin&query=node`)).length, 1);
      assert.deepEqual(await list(`?status=offline&team_id=${teamId}`), []);
      assert.deepEqual(await list('?team_id=99999'), []);
      assert.deepEqual(await list('?label_id=99999'), []);
      assert.equal(await count('?label_id=99999'), 0);
    });

    it('finds hosts by a prefix of hostname, UUID, serial or IP, or of a part after a dot or dash', async () => {
      assert.deepEqual(names(await list(`?query=${hostnames[3]}`)), [hostnames[3]]);
      assert.deepEqual(names(await list('?query=NODE-0')), hostnames);
      assert.deepEqual(names(await list(`?query=corp.example&per_page=2&page=2`)), hostnames.slice(4, 6));
      assert.deepEqual(names(await list(`?query=uuid-${hostnames[7]}`)), [hostnames[7]]);
      assert.deepEqual(names(await list(`?query=serial-${hostnames[2]}`)), [hostnames[2]]);
      assert.equal((await list('?query=10.0.0.7')).length, HOSTS);
      assert.deepEqual(await list('?query=nothing-like-this'), []);
      assert.equal(await count('?query=node-0'), HOSTS);
    });

    it('gets one host by id and by identifier, UUID or hostname', async () => {
      const [first] = await list(`?query=${hostnames[6]}`);
      const byId = (await admin.get(`/api/v1/fleet/hosts/${first.id}`)).body.host;
      assert.equal(byId.hostname, hostnames[6]);
      assert.equal(byId.policies.length, 1);
      for (const identifier of [hostnames[6], first.uuid]) {
        assert.equal((await admin.get(`/api/v1/fleet/hosts/identifier/${encodeURIComponent(identifier)}`)).body.host.id, first.id);
      }
      assert.equal((await admin.get('/api/v1/fleet/hosts/identifier/nobody')).status, 404);
    });

    it("lists a label's hosts, counts the fleet and the policies from counters", async () => {
      assert.equal((await admin.get(`/api/v1/fleet/labels/${labels['All Hosts']}/hosts?per_page=4&page=2`)).body.hosts.length, HOSTS - 8);
      const summary = (await admin.get('/api/v1/fleet/host_summary')).body;
      assert.equal(summary.totals_hosts_count, HOSTS);
      assert.equal(summary.online_count + summary.offline_count + summary.mia_count, HOSTS);
      assert.deepEqual(summary.platforms, PLATFORMS.map((platform) => ({ platform, hosts_count: hostnames.filter((_, i) => PLATFORMS[i % 4] === platform).length })).sort((a, b) => a.platform.localeCompare(b.platform)));
      assert.equal(summary.new_count, HOSTS);
      const team = (await admin.get(`/api/v1/fleet/host_summary?team_id=${teamId}`)).body;
      assert.equal(team.totals_hosts_count, TEAM_HOSTS);
      assert.equal(team.online_count, TEAM_HOSTS);
      await eventually(async () => {
        const [policy] = (await admin.get('/api/v1/fleet/policies')).body.policies;
        assert.deepEqual([policy.passing_host_count, policy.failing_host_count], [HOSTS / 2, HOSTS / 2]);
      });
    });

    it('searches targets with counts, and targets a label with a campaign', async () => {
      const answer = (await admin.post('/api/v1/fleet/targets', { query: 'node-0', selected: { labels: [labels['Ubuntu Linux']], teams: [teamId] } })).body;
      assert.equal(answer.targets.hosts.length, 10);
      assert.equal(answer.targets_count, 5); // 3 team hosts + ubuntu hosts 5 and 9 (host 1 is in both)
      assert.equal(answer.targets_online, 5);
      const label = answer.targets.labels.find((entry: { name: string }) => entry.name === 'All Hosts');
      assert.equal(label, undefined); // selected labels are left out, unmatched ones too
      const all = (await admin.post('/api/v1/fleet/targets', { query: 'all', selected: {} })).body;
      assert.ok(all.targets.labels.some((entry: { name: string }) => entry.name === 'All Hosts'), JSON.stringify(all));
      assert.equal(all.targets.labels.find((entry: { name: string }) => entry.name === 'All Hosts').count, HOSTS);
      const run = await admin.post('/api/v1/fleet/queries/run_by_names', { query: 'SELECT 1;', selected: { labels: ['All Hosts'] } });
      assert.equal(run.status, 200, JSON.stringify(run.body));
      const campaign = (await admin.get(`/api/v1/fleet/campaigns/${run.body.campaign.id}`)).body.campaign;
      assert.equal(campaign.targeted_hosts, HOSTS);
      assert.equal(campaign.expected_results, HOSTS);
      const fleetWide = (await admin.post('/api/v1/fleet/targets', { query: '', selected: { labels: [labels['All Hosts']] } })).body;
      assert.deepEqual([fleetWide.targets_count, fleetWide.targets_online, fleetWide.targets_offline], [HOSTS, HOSTS, 0]);
    });

    it('answers every combination of filters with the hosts that match all of them, and a page past the end with an empty page', async () => {
      const all = await list('?per_page=1000');
      assert.equal(all.length, HOSTS);
      const hostLabels = new Map<number, number[]>();
      for (const host of all) hostLabels.set(host.id, ((await admin.get(`/api/v1/fleet/hosts/${host.id}`)).body.host.labels as Array<{ id: number }>).map((label) => label.id));
      const filters = [
        { query: `team_id=${teamId}`, keep: (host: Host) => host.team_id === teamId },
        { query: 'platform=ubuntu', keep: (host: Host) => host.platform === 'ubuntu' },
        { query: `label_id=${labels['Ubuntu Linux']}`, keep: (host: Host) => hostLabels.get(host.id)!.includes(labels['Ubuntu Linux']) },
        { query: 'status=online', keep: (host: Host) => host.status === 'online' },
        { query: 'query=node-0', keep: (host: Host) => host.hostname.startsWith('node-0') },
      ];
      await eventually(async () => assert.equal(await count('?status=online'), HOSTS), 20_000);
      for (let mask = 1; mask < 1 << filters.length; mask += 1) {
        const chosen = filters.filter((_, i) => mask & (1 << i));
        const query = chosen.map((filter) => filter.query).join('&');
        const expected = all.filter((host) => chosen.every((filter) => filter.keep(host))).map((host) => host.hostname).sort();
        // (A status page comes by seen_time whatever order_key says: README, known limits.)
        assert.deepEqual(names(await list(`?${query}&order_key=hostname`)).sort(), expected, query);
        assert.equal(await count(`?${query}`), expected.length, `count ${query}`);
        assert.deepEqual(await list(`?${query}&page=1000000&per_page=10000`), [], `past the end: ${query}`);
      }
      for (const query of ['', '?status=online', '?order_key=seen_time&order_direction=asc', '?order_key=hostname', `?label_id=${labels['All Hosts']}&order_direction=desc`]) {
        assert.deepEqual(await list(`${query}${query ? '&' : '?'}page=1000000&per_page=10000`), [], `past the end: ${query}`);
      }
    });

    it('records a campaign on a team and a label as its selection, and lists it for the hosts it targets', async () => {
      const run = await admin.post('/api/v1/fleet/queries/run', { query: 'SELECT 2;', selected: { hosts: [], labels: [labels['Ubuntu Linux']], teams: [teamId] } });
      assert.equal(run.status, 200, JSON.stringify(run.body));
      const campaign = (await admin.get(`/api/v1/fleet/campaigns/${run.body.campaign.id}`)).body.campaign;
      assert.equal(campaign.targeted_hosts, 5); // 3 team hosts + ubuntu hosts 5 and 9
      const all = await list('?per_page=1000');
      const listedFor = async (hostname: string) => {
        const id = all.find((host) => host.hostname === hostname)!.id;
        return ((await admin.get(`/api/v1/fleet/campaigns?host_id=${id}`)).body.campaigns as Array<{ id: number }>).some((listed) => listed.id === run.body.campaign.id);
      };
      assert.deepEqual(await Promise.all([hostnames[0], hostnames[5], hostnames[4]].map(listedFor)), [true, true, false]);
    });

    it("answers hostile list parameters with Fleet's error shape", async () => {
      for (const query of ['?per_page=0', '?per_page=10001', '?page=-1', '?page=1000001', '?order_key=password', '?order_direction=sideways', `?query=${'x'.repeat(10_000)}`, '?status=sleeping', '?team_id=-1', '?label_id=abc', '?unknown=1']) {
        const res = await admin.get(`/api/v1/fleet/hosts${query}`);
        assert.equal(res.status >= 400 && res.status < 500, true, `${query}: ${res.status}`);
        assert.equal(typeof res.body.message, 'string', query);
        assert.ok(Array.isArray(res.body.errors), query);
      }
      assert.equal((await admin.get(`/api/v1/fleet/hosts/count?query=${'y'.repeat(10_000)}`)).status, 400);
    });
  });
}
