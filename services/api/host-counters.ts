/**
 * The host counters the projection maintains (host-read-model.ts counterKeys), read as Fleet's
 * counts: a count is one document, a listing by platform or policy one id-prefix read of
 * counter documents, new_count the creation-hour counters of the last day.
 *
 * new_count: the 24 full hours before the current one are counters; the hour at the window's
 * start (partly inside it) is counted by a created_at range over that hour's hosts only, so the
 * cost is bounded by one hour of enrollments, never by the fleet.
 */
import { NEW_FOR_MS } from '../../shared/domain/hosts/host-status';
import { counterKey, HOST_COUNTS, PLATFORM_PREFIX, POLICY_PREFIX, teamPlatformPrefix, type HostCountDoc } from '../../shared/read-models/host-read-model';
import { HOSTS, type HostDoc } from '../../shared/read-models/read-model-types';
import type { ReadModels } from '../../shared/read-models/read-models';

const HOUR_MS = 3_600_000;

export class HostCounters {
  constructor(private readonly readModels: ReadModels) {}

  private get counts() {
    return this.readModels.collection<HostCountDoc>(HOST_COUNTS);
  }

  async get(key: string): Promise<number> {
    return (await this.counts.get(key))?.n ?? 0;
  }

  /** Host counts by platform (fleet-wide, or of a team), platforms without hosts left out. */
  async byPlatform(teamId?: number): Promise<Map<string, number>> {
    const prefix = teamId === undefined ? PLATFORM_PREFIX : teamPlatformPrefix(teamId);
    const docs = await this.counts.find({ idPrefix: prefix });
    return new Map(docs.map((doc) => [doc.key.slice(prefix.length), doc.n]));
  }

  /** Policy id → passing and failing host counts. */
  async policyCounts(): Promise<Map<number, { passing: number; failing: number }>> {
    const counts = new Map<number, { passing: number; failing: number }>();
    for (const doc of await this.counts.find({ idPrefix: POLICY_PREFIX })) {
      const [, policy, result] = doc.key.split('\u0000');
      const entry = counts.get(Number(policy)) ?? { passing: 0, failing: 0 };
      entry[result as 'passing' | 'failing'] = doc.n;
      counts.set(Number(policy), entry);
    }
    return counts;
  }

  /** Hosts created in the last NEW_FOR_MS (fleet-wide, or of a team). */
  async newCount(teamId: number | null, now: number): Promise<number> {
    const from = now - NEW_FOR_MS;
    const firstFullHour = Math.ceil(from / HOUR_MS) * HOUR_MS;
    const hours: string[] = [];
    for (let hour = firstFullHour; hour <= now; hour += HOUR_MS) hours.push(new Date(hour).toISOString().slice(0, 13));
    const keyOf = (hour: string) => (teamId === null ? counterKey.createdHour(hour) : counterKey.teamCreatedHour(teamId, hour));
    const full = await Promise.all(hours.map((hour) => this.get(keyOf(hour))));
    const range = { field: 'created_at', gte: new Date(from).toISOString(), lt: new Date(firstFullHour).toISOString() };
    const partial = firstFullHour === from ? 0 : await this.readModels.collection<HostDoc>(HOSTS).count(teamId === null ? {} : { team_id: teamId }, range);
    return full.reduce((sum, n) => sum + n, 0) + partial;
  }
}
