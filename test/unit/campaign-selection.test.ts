/**
 * A campaign records its selection (hosts by id, dynamic labels, teams), not its hosts: the
 * agent API targets the selection's members as its view holds them at the campaign's event, so
 * hosts that join later are not asked, hosts that leave later still are; a campaign written
 * before selections were recorded (every host listed by id) targets exactly those hosts.
 */
import assert from 'node:assert/strict';
import { CAMPAIGN_CREATED, CAMPAIGN_ENDED, type CampaignCreated } from '../../shared/domain/campaigns/campaign-events';
import { HOST_ENROLLED, HOST_LABELS_CHANGED } from '../../shared/domain/hosts/host-events';
import type { RecordedEvent } from '../../shared/ports/event-store';
import type { ResultsBus } from '../../shared/ports/results-bus';
import { AgentView } from '../../services/agent-api/agent-view';
import { LiveCampaigns } from '../../services/agent-api/live-campaigns';
import { ADMIN } from '../support/given-events';

const NOW = Date.parse('2026-12-01T10:00:00.000Z');
let position = 0;

function event(streamId: string, type: string, data: unknown, revision = 0): RecordedEvent {
  position += 1;
  return { id: `e-${position}`, streamId, revision, position, type, data, metadata: { actor: ADMIN, occurredAt: new Date(NOW).toISOString(), correlationId: `c-${position}`, causationId: null } };
}
const enrolled = (n: number, teamId: number | null) =>
  event(`host-uuid-${n}`, HOST_ENROLLED, { id: n, host_identifier: `uuid-${n}`, node_key_hash: `key-${n}`, team_id: teamId, facts: { hostname: `host-${n}` } });
const labels = (n: number, added: number[], removed: number[], revision: number) => event(`host-uuid-${n}`, HOST_LABELS_CHANGED, { added, removed }, revision);
const campaign = (id: number, fields: Partial<CampaignCreated>) =>
  event(`campaign-${id}`, CAMPAIGN_CREATED, { id, query: `SELECT ${id}`, query_id: null, user_id: 1, target_host_ids: [], totals: { count: 0, online: 0, offline: 0, missing_in_action: 0 }, expires_at: new Date(NOW + 600_000).toISOString(), ...fields });

describe('campaign selection in the agent API', function () {
  const bus = { produce: async () => {} } as unknown as ResultsBus;
  let view: AgentView;
  let live: LiveCampaigns;
  const pending = (hostId: number) => [...live.pendingFor(view.hostById(hostId)!, NOW).keys()];

  beforeEach(() => {
    view = new AgentView();
    live = new LiveCampaigns(bus, (selection) => view.selectedHosts(selection));
    view.followers.push((followed) => live.apply(followed));
    for (const given of [enrolled(1, null), enrolled(2, 7), enrolled(3, null), enrolled(4, null), labels(1, [11], [], 1), labels(3, [11, 12], [], 1)]) view.applyFollowed(given);
  });

  it('targets the members of its labels and teams at its event, and its hosts by id', () => {
    view.applyFollowed(campaign(5, { target_host_ids: [4], target_label_ids: [11], target_team_ids: [7] }));
    view.applyFollowed(enrolled(6, 7)); // joins the team after: not targeted
    view.applyFollowed(labels(1, [], [11], 2)); // leaves the label after: still targeted
    assert.deepEqual([1, 2, 3, 4, 6].map(pending), [[5], [5], [5], [5], []]);
    assert.deepEqual(live.targetsOf(5), [4, 1, 2, 3]);
    // A snapshot holds the members as bits: restored, the same hosts are targeted and those handed it wait.
    const restored = new LiveCampaigns(bus);
    restored.restore(JSON.parse(JSON.stringify(live.exportRunning(NOW))));
    assert.deepEqual(restored.targetsOf(5), [4, 1, 2, 3]);
    assert.deepEqual([1, 2, 3, 4, 6].map((id) => [...restored.pendingFor(view.hostById(id)!, NOW + 61_000).keys()]), [[5], [5], [5], [5], []]);
    assert.deepEqual(pending(1), [], 'handed out: not again within the minute');
  });

  it('targets exactly the hosts listed by an event written before selections were recorded', () => {
    view.applyFollowed(campaign(8, { target_host_ids: [2, 3] }));
    assert.deepEqual([1, 2, 3, 4].map(pending), [[], [8], [8], []]);
  });

  it('asks no host once the campaign ended', () => {
    view.applyFollowed(campaign(9, { target_label_ids: [12] }));
    view.applyFollowed(event('campaign-9', CAMPAIGN_ENDED, { id: 9, reason: 'stopped' }, 1));
    assert.deepEqual([1, 2, 3, 4].map(pending), [[], [], [], []]);
  });
});
