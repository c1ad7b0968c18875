/**
 * Ends running campaigns: completed once every targeted host's answer is recorded, expired once
 * their time is up. Runs every few seconds in each API instance; ending is idempotent, so
 * instances side by side do no harm.
 */
import { readStoreResults } from '../../shared/campaigns/campaign-results-store';
import { commandContext, SYSTEM_ACTOR } from '../../shared/eventsourcing/metadata';
import { CAMPAIGNS, type CampaignDoc } from '../../shared/read-models/read-model-types';
import type { ApiDeps } from './api-deps';
import { endCampaign } from './commands/campaigns';

const SWEEP_EVERY_MS = 2_000;

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
  const timer = setInterval(() => {
    running = running.then(() => sweepCampaigns(deps)).catch((error: unknown) => deps.logger.warn({ err: error }, 'campaign sweep failed; will retry'));
  }, SWEEP_EVERY_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
