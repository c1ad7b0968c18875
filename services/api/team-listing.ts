/**
 * Teams as Fleet's team endpoints show them (GET /teams, GET /teams/{id}): fleet.Team of the
 * seed era (server/fleet/teams.go) — id, created_at, name, description, agent_options,
 * user_count, host_count, secrets — built from the team read models. `host_count` is counted by
 * the read store (`count` on `team_id`), one count per team shown, never a read of every host.
 * `user_count` is 0 and `users` absent: Logbook has no team users (every role is global).
 * `description` is "": a Logbook team spec has none.
 *
 * Invariant (as for the team spec reads): every team answered here passes through redactSpec, so
 * `secrets` show only to roles with canReadEnrollSecrets and `agent_options` only to those with
 * canReadAgentOptions; a field left out is absent, not masked.
 */
import type { TeamSpec } from '../../shared/domain/specs/spec-types';
import type { GlobalRole } from '../../shared/domain/users/roles';
import { HOSTS, specCollection, type HostDoc, type SpecDoc } from '../../shared/read-models/read-model-types';
import type { ReadModels } from '../../shared/read-models/read-models';
import { redactSpec } from './redaction';

/** Fleet's ListOptions as GET /teams reads them. */
export interface TeamListOptions {
  page: number;
  /** Undefined: every team (Fleet lists all when no page size is asked for). */
  perPage?: number;
  orderKey: 'id' | 'name';
  descending: boolean;
  /** Fleet matches `query` against the team name, case-insensitively, anywhere in it. */
  query?: string;
}

function renderTeam(doc: SpecDoc<'team'>, hostCount: number) {
  const spec = doc.spec as TeamSpec;
  return {
    id: doc.id,
    created_at: doc.created_at,
    name: spec.name,
    description: '',
    agent_options: spec.agent_options,
    user_count: 0,
    host_count: hostCount,
    secrets: spec.secrets.map((entry) => ({ secret: entry.secret, team_id: doc.id })),
  };
}

export type FleetTeam = ReturnType<typeof renderTeam>;

function compare(a: SpecDoc<'team'>, b: SpecDoc<'team'>, key: TeamListOptions['orderKey']): number {
  if (key === 'id') return a.id - b.id;
  const byName = (a.spec as TeamSpec).name.localeCompare((b.spec as TeamSpec).name);
  return byName !== 0 ? byName : a.id - b.id;
}

export class TeamListing {
  constructor(private readonly readModels: ReadModels) {}

  private teams() {
    return this.readModels.collection<SpecDoc<'team'>>(specCollection('team'));
  }

  private async render(doc: SpecDoc<'team'>, role: GlobalRole): Promise<Partial<FleetTeam>> {
    const hostCount = await this.readModels.collection<HostDoc>(HOSTS).count({ team_id: doc.id });
    return redactSpec('team', renderTeam(doc, hostCount), role);
  }

  /** The teams `options` select, in its order, each as `role` may read it. */
  async list(options: TeamListOptions, role: GlobalRole): Promise<Array<Partial<FleetTeam>>> {
    const needle = options.query?.toLowerCase();
    const matching = (await this.teams().find())
      .filter((doc) => !needle || (doc.spec as TeamSpec).name.toLowerCase().includes(needle))
      .sort((a, b) => compare(a, b, options.orderKey) * (options.descending ? -1 : 1));
    const page = options.perPage === undefined ? matching : matching.slice(options.page * options.perPage, (options.page + 1) * options.perPage);
    return Promise.all(page.map((doc) => this.render(doc, role)));
  }

  /** The team with this id as `role` may read it, or null. */
  async get(id: number, role: GlobalRole): Promise<Partial<FleetTeam> | null> {
    const [doc] = await this.teams().find({ where: { id }, limit: 1 });
    return doc ? this.render(doc, role) : null;
  }
}
