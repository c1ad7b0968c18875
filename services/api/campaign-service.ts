/**
 * What the campaign routes call beyond targeting: the saved queries a campaign may run, the
 * campaigns as projected, and starting and stopping a campaign read-your-writes (the command,
 * then the wait for the read models, then the campaign as projected: null if the projection has
 * not caught up within the wait, the command having succeeded all the same).
 */
import { DomainError } from '../../shared/domain/errors';
import type { CommandContext } from '../../shared/eventsourcing/metadata';
import { campaignSelection, isSelected } from '../../shared/domain/campaigns/campaign-events';
import { CAMPAIGNS, HOSTS, specCollection, type CampaignDoc, type HostDoc, type SpecDoc } from '../../shared/read-models/read-model-types';
import type { ReadModels } from '../../shared/read-models/read-models';
import { awaitReadModels, type ApiDeps } from './api-deps';
import { createCampaign, endCampaign } from './commands/campaigns';
import type { TargetSet } from './campaign-targets';

/** The saved queries in id order (what `query_id` refers to). */
export function savedQueries(readModels: ReadModels): Promise<Array<SpecDoc<'query'>>> {
  return readModels.collection<SpecDoc<'query'>>(specCollection('query')).find({ sort: { field: 'id', direction: 'asc' } });
}

export async function savedQuery(readModels: ReadModels, id: number): Promise<SpecDoc<'query'> | null> {
  const [saved] = await readModels.collection<SpecDoc<'query'>>(specCollection('query')).find({ where: { id } });
  return saved ?? null;
}

export function campaignById(readModels: ReadModels, id: number): Promise<CampaignDoc | null> {
  return readModels.collection<CampaignDoc>(CAMPAIGNS).get(String(id));
}

/** A host's recent campaigns are looked for among this many newest ones (target lists are not indexed). */
export const HOST_CAMPAIGN_WINDOW = 500;

export interface CampaignListing {
  /** Only this user's campaigns (observers); undefined: everyone's. */
  ownerId?: number;
  /** Only campaigns that targeted this host, among the newest HOST_CAMPAIGN_WINDOW. */
  hostId?: number;
  page: number;
  perPage: number;
}

/** Campaigns newest first, one page of them (sorted by id; the campaigns collection declares no index yet). */
export async function listCampaigns(readModels: ReadModels, listing: CampaignListing): Promise<{ campaigns: CampaignDoc[]; more: boolean }> {
  const collection = readModels.collection<CampaignDoc>(CAMPAIGNS);
  const where = listing.ownerId === undefined ? undefined : { user_id: listing.ownerId };
  const sort = { field: 'id', direction: 'desc' } as const;
  const skip = listing.page * listing.perPage;
  if (listing.hostId === undefined) {
    const found = await collection.find({ where, sort, skip, limit: listing.perPage + 1 });
    return { campaigns: found.slice(0, listing.perPage), more: found.length > listing.perPage };
  }
  const hostId = listing.hostId;
  const host = await readModels.collection<HostDoc>(HOSTS).get(String(hostId));
  const recent = await collection.find({ where, sort, limit: HOST_CAMPAIGN_WINDOW });
  // The host's labels and team now: a campaign that selected a label the host joined since is listed too.
  const matching = recent.filter((doc) => isSelected(campaignSelection(doc), hostId, (label) => host?.label_ids.includes(label) ?? false, host?.team_id ?? null));
  return { campaigns: matching.slice(skip, skip + listing.perPage), more: matching.length > skip + listing.perPage };
}

export interface CampaignToStart {
  sql: string;
  /** The saved query run, or null for ad-hoc SQL. */
  queryId: number | null;
  userId: number;
  targets: TargetSet;
}

/** Starts a campaign on at least one host (else 400), expiring after the configured time. */
export async function startCampaign(deps: ApiDeps, start: CampaignToStart, context: CommandContext): Promise<CampaignDoc | null> {
  const { targets } = start;
  if (targets.totals.count === 0) throw new DomainError('bad_request', 'no hosts targeted', [{ name: 'selected', reason: 'no hosts targeted' }]);
  // Hosts' answers travel on the bus: while it is down a campaign would collect nothing, so it is
  // refused (503 in Fleet's error shape, as GET /status/live_query reports) and not recorded.
  const busProblem = deps.resultsBus?.problem?.() ?? null;
  if (busProblem !== null) throw new DomainError('unavailable', 'the live query bus is not working', [{ name: 'base', reason: busProblem }]);
  const now = Date.now();
  const { created, position } = await createCampaign(
    deps,
    {
      query: start.sql,
      queryId: start.queryId,
      userId: start.userId,
      targets,
      expiresAt: new Date(now + deps.config.campaignExpirySeconds * 1000).toISOString(),
    },
    context,
  );
  await awaitReadModels(deps, position);
  return campaignById(deps.readModels, created.id);
}

/**
 * Stops a campaign for an operator; `mayStopAny` is the access rule's answer, the decider also
 * allowing whoever started the campaign. Stopping an ended campaign changes nothing.
 */
export async function stopCampaign(deps: ApiDeps, id: number, by: { userId: number; mayStopAny: boolean }, context: CommandContext): Promise<CampaignDoc | null> {
  const position = await endCampaign(deps, id, 'stopped', by, context);
  await awaitReadModels(deps, position);
  return campaignById(deps.readModels, id);
}
