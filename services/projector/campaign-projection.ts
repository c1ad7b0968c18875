/**
 * Campaigns: one `campaigns` doc per live query campaign, and the `live_query` /
 * `stopped_live_query` activities. Idempotent: creation is skipped for a campaign already there,
 * a campaign ends only while running, and its results are marked deleted once.
 */
import { CAMPAIGN_CREATED, CAMPAIGN_ENDED, CAMPAIGN_RESULTS_DELETED, type CampaignCreated, type CampaignEnded, type CampaignResultsDeleted } from '../../shared/domain/campaigns/campaign-events';
import type { RecordedEvent } from '../../shared/ports/event-store';
import { CAMPAIGNS, type CampaignDoc } from '../../shared/read-models/read-model-types';
import { recordActivity } from './activity-projection';
import type { UnitOfWork } from './unit-of-work';

export async function projectCampaignEvent(uow: UnitOfWork, event: RecordedEvent): Promise<void> {
  const at = event.metadata.occurredAt;
  if (event.type === CAMPAIGN_CREATED) {
    const data = event.data as CampaignCreated;
    if ((await uow.get<CampaignDoc>(CAMPAIGNS, String(data.id))) !== null) return;
    uow.put(CAMPAIGNS, String(data.id), {
      id: data.id,
      query: data.query,
      query_id: data.query_id,
      user_id: data.user_id,
      status: 'running',
      target_host_ids: data.target_host_ids,
      ...(data.target_label_ids ? { target_label_ids: data.target_label_ids } : {}),
      ...(data.target_team_ids ? { target_team_ids: data.target_team_ids } : {}),
      totals: data.totals,
      created_at: at,
      updated_at: at,
      expires_at: data.expires_at,
    } satisfies CampaignDoc);
    await recordActivity(uow, event, 'live_query', { campaign_id: data.id, query_id: data.query_id, query_sql: data.query, targets_count: data.totals.count });
    return;
  }
  if (event.type === CAMPAIGN_ENDED) {
    const data = event.data as CampaignEnded;
    const doc = await uow.get<CampaignDoc>(CAMPAIGNS, String(data.id));
    if (!doc || doc.status !== 'running') return;
    uow.put(CAMPAIGNS, String(data.id), { ...doc, status: data.reason, updated_at: at, ended_at: at });
    if (data.reason === 'stopped') await recordActivity(uow, event, 'stopped_live_query', { campaign_id: data.id });
    return;
  }
  if (event.type === CAMPAIGN_RESULTS_DELETED) {
    const data = event.data as CampaignResultsDeleted;
    const doc = await uow.get<CampaignDoc>(CAMPAIGNS, String(data.id));
    if (!doc || doc.results_deleted_at) return;
    uow.put(CAMPAIGNS, String(data.id), { ...doc, updated_at: at, results_deleted_at: at });
  }
}
