/**
 * Ends running campaigns: completed once every targeted host's answer is recorded, expired once
 * their time is up. Runs every few seconds in each API instance; ending is idempotent, so
 * instances side by side do no harm.
 *
 * Retention (RESULTS_RETENTION_DAYS > 0): the stored results of a campaign that ended longer ago
 * are deleted, then the deletion is recorded in the campaign's stream (so a crash in between
 * deletes again, which is harmless). Checked at most once a minute.
 */
import { readStoreResults } from '../../shared/campaigns/campaign-results-store';
import { commandContext, SYSTEM_ACTOR } from '../../shared/eventsourcing/metadata';
import { CAMPAIGNS, isFinalCampaignStatus, type CampaignDoc } from '../../shared/read-models/read-model-types';
import type { ApiDeps } from './api-deps';
import { endCampaign, recordCampaignResultsDeleted } from './commands/campaigns';

const SWEEP_EVERY_MS = 2_000;
const RETENTION_CHECK_EVERY_MS = 60_000;
const DAY_MS = 86_400_000;

/** Deletes the stored results of campaigns that ended more than the retention period ago. */
export async function deleteExpiredResults(deps: ApiDeps, now = Date.now()): Promise<void> {
  const retentionDays = deps.config.resultsRetentionDays;
  if (retentionDays <= 0) return;
  const results = readStoreResults(deps.readModels.store);
  const campaigns = deps.readModels.collection<CampaignDoc>(CAMPAIGNS);
  for (const campaign of await campaigns.find({ where: { results_deleted_at: null } })) {
    if (!isFinalCampaignStatus(campaign.status)) continue;
    const endedAt = Date.parse(campaign.ended_at ?? campaign.updated_at);
    if (now - endedAt < retentionDays * DAY_MS) continue;
    const deleted = await results.deleteCampaign(campaign.id);
    await recordCampaignResultsDeleted(deps, campaign.id, retentionDays, commandContext(SYSTEM_ACTOR));
    deps.logger.info({ campaignId: campaign.id, results: deleted, retentionDays }, 'deleted the stored results of a campaign past its retention');
  }
}

export async function sweepCampaigns(deps: ApiDeps, now = Date.now()): Promise<void> {
  const results = readStoreResults(deps.readModels.store);
  const running = await deps.readModels.collection<CampaignDoc>(CAMPAIGNS).find({ where: { status: 'running' } });
  for (const campaign of running) {
    const expired = campaign.expires_at !== undefined && Date.parse(campaign.expires_at) <= now;
    const complete = !expired && (await results.recordedCount(campaign.id)) >= campaign.totals.count;
    if (expired || complete) await endCampaign(deps, campaign.id, expired ? 'expired' : 'completed', null, commandContext(SYSTEM_ACTOR));
  }
}

export function startCampaignSweeper(deps: ApiDeps): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  // Short retention periods (tests) are checked more often, though never more than every sweep.
  const retentionCheckEveryMs = Math.min(RETENTION_CHECK_EVERY_MS, (deps.config.resultsRetentionDays * DAY_MS) / 4);
  let retentionCheckedAt = 0;
  const timer = setInterval(() => {
    running = running
      .then(async () => {
        await sweepCampaigns(deps);
        if (Date.now() - retentionCheckedAt >= retentionCheckEveryMs) {
          retentionCheckedAt = Date.now();
          await deleteExpiredResults(deps);
        }
      })
      .catch((error: unknown) => deps.logger.warn({ err: error }, 'campaign sweep failed; will retry'));
  }, SWEEP_EVERY_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
