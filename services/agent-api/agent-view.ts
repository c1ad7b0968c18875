/**
 * What the agent API knows, in memory, so that check-ins never query a database: every enrolled
 * host (by node key hash and by host identifier) and the specs that decide what hosts are asked
 * and configured with (specs, and the global agent options of the app config). Built by following the event log (catch-up, then live), so several
 * agent API instances each hold the same view; an instance also applies its own appends at once,
 * and the log later delivers them again, which the host's stream revision makes harmless.
 * Following starts at the log's start, or after the position a snapshot covers (view-snapshot.ts):
 * the snapshot's specs are the view's at that position, its hosts at that position or later, and
 * the same revision check makes their events after that position harmless too.
 */
import type { CampaignSelection } from '../../shared/domain/campaigns/campaign-events';
import { ENROLL_SECRETS_REPLACED, type EnrollSecretsReplaced } from '../../shared/domain/enroll-secrets/enroll-secrets-events';
import { hostDecider, isLabelMember, type HostState } from '../../shared/domain/hosts/host-decider';
import { isSpecDeletedType, specKindOfEventType, type SpecApplied, type SpecDeleted } from '../../shared/domain/specs/spec-events';
import { isHostEventType, type HostEvent } from '../../shared/domain/hosts/host-events';
import type { LabelSpec, PackSpec, PolicySpec, QuerySpec, TeamSpec } from '../../shared/domain/specs/spec-types';
import { DEFAULT_APP_CONFIG, type AppConfig } from '../../shared/domain/organization/app-config';
import { evolveAppConfig } from '../../shared/domain/organization/organization-decider';
import { isOrganizationEventType, type OrganizationEvent } from '../../shared/domain/organization/organization-events';
import { START, type EventStore, type RecordedEvent, type Subscription } from '../../shared/ports/event-store';
import { GroupMembers } from './group-members';
import { HostRecord, HostTable } from './host-table';
import { HostRowIndex } from './host-row-index';

export { HostRecord } from './host-table';

export interface LabelEntry {
  id: number;
  name: string;
  query: string;
  platform: string;
  manual: boolean;
  hostnames: ReadonlySet<string>;
}

export interface PolicyEntry {
  id: number;
  name: string;
  query: string;
  platform: string;
  /** Team name, '' for a global policy. */
  team: string;
}

export interface TeamEntry {
  id: number;
  spec: TeamSpec;
}

/** The view's spec side as plain data (a snapshot's). */
export interface ViewSpecs {
  labels: Array<Omit<LabelEntry, 'hostnames'> & { hostnames: string[] }>;
  labelIdsByName: Array<[string, number]>;
  policies: PolicyEntry[];
  queries: QuerySpec[];
  packs: PackSpec[];
  teams: Array<[string, TeamEntry]>;
  teamsById: TeamEntry[];
  globalSecrets: string[];
  appConfig: AppConfig;
  labelsChangedAt: number;
  policiesChangedAt: number;
}

export class AgentView {
  private readonly hostTable = new HostTable();
  /**
   * Host id → host. A plain array: ids come from one gap-free sequence starting at 1, so it stays
   * dense (8 bytes a host where a Map entry costs several times that).
   */
  private readonly hostsById: Array<HostRecord | undefined> = [];
  private enrolledHosts = 0;
  /** Every host by its row (the order the view learned of them); the indexes below hold rows, not keys. */
  private readonly hostsByRow: HostRecord[] = [];
  private readonly hostsByNodeKeyHash = new HostRowIndex(this.hostsByRow, (host) => host.state.nodeKeyHash);
  private readonly hostsByStream = new HostRowIndex(this.hostsByRow, (host) => host.streamId);
  /** The labels' and teams' members among the hosts of `hostsById`, as bits (told of each change below). */
  private readonly groups = new GroupMembers();

  readonly labels = new Map<number, LabelEntry>();
  readonly labelIdsByName = new Map<string, number>();
  readonly policies = new Map<number, PolicyEntry>();
  readonly queries = new Map<string, QuerySpec>();
  readonly packs = new Map<string, PackSpec>();
  readonly teams = new Map<string, TeamEntry>();
  readonly teamsById = new Map<number, TeamEntry>();
  private globalSecrets = new Set<string>();
  /** The app config, folded as the decider and the projection fold it: its `agent_options` configure hosts without team options. */
  appConfig: AppConfig = DEFAULT_APP_CONFIG;
  /** When the label and policy specs last changed (ms), so hosts re-run them early. */
  labelsChangedAt = 0;
  policiesChangedAt = 0;

  /** Told of every event of the log after the view applied it (live query delivery follows campaigns). */
  readonly followers: Array<(event: RecordedEvent) => void> = [];

  private position = START;
  /** Id of the log event at `position` (null at START), so a snapshot can name the log it covers. */
  private positionEventId: string | null = null;
  /** How many log events this view applied by following (not counting its own appends). */
  eventsFollowed = 0;
  private subscription: Subscription | null = null;
  private readonly positionWaiters = new Set<() => void>();

  hostById(id: number): HostRecord | undefined {
    return Number.isSafeInteger(id) && id >= 0 ? this.hostsById[id] : undefined;
  }

  /** How many hosts have an id (are enrolled). */
  get hostCount(): number {
    return this.enrolledHosts;
  }

  /** Every enrolled host, in id order (for the metrics' counts). */
  *enrolled(): Generator<HostRecord> {
    for (const host of this.hostsById) if (host !== undefined) yield host;
  }

  hostByNodeKeyHash(hash: string): HostRecord | undefined {
    return this.hostsByNodeKeyHash.get(hash);
  }

  hostByStream(streamId: string): HostRecord | undefined {
    return this.hostsByStream.get(streamId);
  }

  /** The team a secret enrolls into: null for a global secret, undefined for a wrong one. */
  teamForSecret(secret: string): TeamEntry | null | undefined {
    for (const team of this.teams.values()) {
      if (team.spec.secrets.some((entry) => entry.secret === secret)) return team;
    }
    return this.globalSecrets.has(secret) ? null : undefined;
  }

  /**
   * The enrolled hosts in a campaign's selection now (by id, a dynamic label or a team), a byte
   * per host id: the union of its groups' member bits (group-members.ts), no pass over the hosts.
   */
  selectedHosts(selection: CampaignSelection): Uint8Array {
    return this.groups.select(selection, this.hostsById.length);
  }

  isMemberOf(host: HostRecord, label: LabelEntry): boolean {
    if (label.manual) return host.state.facts.hostname !== undefined && label.hostnames.has(host.state.facts.hostname);
    return isLabelMember(host.state, label.id);
  }

  /** Applies one event of the log (or one the instance just appended); idempotent. */
  apply(event: RecordedEvent, now = Date.now()): void {
    if (isHostEventType(event.type)) return this.applyHostEvent(event, event.type, now);
    if (event.type === ENROLL_SECRETS_REPLACED) {
      this.globalSecrets = new Set((event.data as EnrollSecretsReplaced).secrets.map((entry) => entry.secret));
      return;
    }
    if (isOrganizationEventType(event.type)) {
      this.appConfig = evolveAppConfig(this.appConfig, { type: event.type, data: event.data } as OrganizationEvent);
      return;
    }
    if (specKindOfEventType(event.type)) return this.applySpec(event.data as SpecApplied, now);
    if (isSpecDeletedType(event.type)) this.deleteSpec(event.data as SpecDeleted, now);
  }

  private applyHostEvent(event: RecordedEvent, type: HostEvent['type'], now: number): void {
    let host = this.hostsByStream.get(event.streamId);
    if (host && event.revision <= host.revision) return;
    if (!host) {
      host = this.newHost(event.streamId, hostDecider.initialState);
      host.seenAt = Date.parse(event.metadata.occurredAt) || now;
      this.hostsByStream.set(event.streamId, host.row);
    }
    const previous = host.state;
    const previousKey = previous.nodeKeyHash;
    host.state = hostDecider.evolve(previous, { type, data: event.data } as HostEvent);
    host.revision = event.revision;
    if (host.state.id !== null && this.hostsById[host.state.id] !== host) {
      const replaced = this.hostsById[host.state.id];
      if (replaced === undefined) this.enrolledHosts++;
      else this.groups.update(replaced.state, null);
      this.hostsById[host.state.id] = host;
    }
    this.groups.update(previous, host.state);
    if (previousKey !== host.state.nodeKeyHash) {
      if (previousKey) this.hostsByNodeKeyHash.delete(previousKey, host.row);
      if (host.state.nodeKeyHash) this.hostsByNodeKeyHash.set(host.state.nodeKeyHash, host.row);
    }
  }

  private applySpec(applied: SpecApplied, now: number): void {
    switch (applied.kind) {
      case 'query':
        this.queries.set(applied.spec.name, applied.spec as QuerySpec);
        return;
      case 'pack':
        this.packs.set(applied.spec.name, applied.spec as PackSpec);
        return;
      case 'team': {
        const entry = { id: applied.id, spec: applied.spec as TeamSpec };
        this.teams.set(entry.spec.name, entry);
        this.teamsById.set(entry.id, entry);
        return;
      }
      case 'label': {
        const spec = applied.spec as LabelSpec;
        this.labels.set(applied.id, {
          id: applied.id,
          name: spec.name,
          query: spec.query,
          platform: spec.platform,
          manual: spec.label_membership_type === 'manual',
          hostnames: new Set(spec.hosts ?? []),
        });
        this.labelIdsByName.set(spec.name, applied.id);
        this.labelsChangedAt = now;
        return;
      }
      case 'policy': {
        const spec = applied.spec as PolicySpec;
        this.policies.set(applied.id, { id: applied.id, name: spec.name, query: spec.query, platform: spec.platform, team: spec.team });
        this.policiesChangedAt = now;
        return;
      }
    }
  }

  /**
   * A deleted spec stops being served: a deleted query is left out of every pack's config (the
   * packs' own new versions drop it too), a deleted pack is no longer configured, a deleted
   * label's (policy's) query is no longer asked and its answers are ignored (distributed.ts
   * reads `labels` and `policies`), a deleted team's options and secrets are no longer used.
   */
  private deleteSpec(deleted: SpecDeleted, now: number): void {
    switch (deleted.kind) {
      case 'query':
        this.queries.delete(deleted.name);
        return;
      case 'pack':
        this.packs.delete(deleted.name);
        return;
      case 'label':
        this.labels.delete(deleted.id);
        if (this.labelIdsByName.get(deleted.name) === deleted.id) this.labelIdsByName.delete(deleted.name);
        this.labelsChangedAt = now;
        return;
      case 'policy':
        this.policies.delete(deleted.id);
        this.policiesChangedAt = now;
        return;
      case 'team':
        // Its hosts keep the id and find no team under it: they are configured as hosts of no
        // team (a team applied again gets a new id). Its secrets enroll no more.
        this.teams.delete(deleted.name);
        this.teamsById.delete(deleted.id);
        return;
    }
  }

  /** The last log event this view followed: its position (START: none yet) and id. */
  get followed(): { position: number; eventId: string | null } {
    return { position: this.position, eventId: this.positionEventId };
  }

  /** Every host the view holds, in the order it learned of them (a copy: safe to walk across turns). */
  allHosts(): HostRecord[] {
    return this.hostsByRow.slice();
  }

  private newHost(streamId: string, state: HostState): HostRecord {
    const host = new HostRecord(this.hostTable, this.hostTable.addRow(), streamId, state);
    this.hostsByRow[host.row] = host;
    return host;
  }

  /** Makes room for this many hosts in all (a snapshot's count, before adopting them): nothing grows while they are adopted. */
  reserveHosts(count: number): void {
    if (!Number.isSafeInteger(count) || count <= 0) return;
    const bounded = Math.min(count, 10_000_000);
    this.hostTable.reserve(bounded);
    this.hostsByStream.reserve(bounded);
    this.hostsByNodeKeyHash.reserve(bounded);
  }

  /**
   * Takes a host as a snapshot holds it (before following starts). Its state must already be in
   * the compact form the decider's evolve makes (shared lists, interned facts). Null when its
   * stream, id or node key is another host's: the view is then no longer usable (an index may
   * point at the new host), and the caller discards it. (The check reads what the index
   * writes answer, not a lookup before them: a start adopts every host of the fleet.)
   */
  adoptHost(streamId: string, revision: number, state: HostState): HostRecord | null {
    if (state.id !== null && this.hostsById[state.id] !== undefined) return null;
    const host = this.newHost(streamId, state);
    host.revision = revision;
    if (!this.hostsByStream.set(streamId, host.row)) return null;
    if (state.id !== null) {
      this.enrolledHosts++;
      this.hostsById[state.id] = host;
      this.groups.update(null, state);
    }
    if (state.nodeKeyHash && !this.hostsByNodeKeyHash.set(state.nodeKeyHash, host.row)) return null;
    return host;
  }

  /** The spec side of the view (everything but hosts), as plain data for a snapshot. */
  exportSpecs(): ViewSpecs {
    return {
      labels: [...this.labels.values()].map((label) => ({ ...label, hostnames: [...label.hostnames] })),
      labelIdsByName: [...this.labelIdsByName],
      policies: [...this.policies.values()],
      queries: [...this.queries.values()],
      packs: [...this.packs.values()],
      teams: [...this.teams],
      teamsById: [...this.teamsById.values()],
      globalSecrets: [...this.globalSecrets],
      appConfig: this.appConfig,
      labelsChangedAt: this.labelsChangedAt,
      policiesChangedAt: this.policiesChangedAt,
    };
  }

  /** Replaces the spec side with a snapshot's (before following starts). */
  restoreSpecs(specs: ViewSpecs): void {
    for (const label of specs.labels) this.labels.set(label.id, { ...label, hostnames: new Set(label.hostnames) });
    for (const [name, id] of specs.labelIdsByName) this.labelIdsByName.set(name, id);
    for (const policy of specs.policies) this.policies.set(policy.id, policy);
    for (const query of specs.queries) this.queries.set(query.name, query);
    for (const pack of specs.packs) this.packs.set(pack.name, pack);
    for (const team of specs.teamsById) this.teamsById.set(team.id, team);
    for (const [name, team] of specs.teams) this.teams.set(name, team);
    this.globalSecrets = new Set(specs.globalSecrets);
    this.appConfig = specs.appConfig;
    this.labelsChangedAt = specs.labelsChangedAt;
    this.policiesChangedAt = specs.policiesChangedAt;
  }

  /** Sets where following starts: after the log event a snapshot covers (before following starts). */
  resumeAfter(position: number, eventId: string): void {
    this.position = position;
    this.positionEventId = eventId;
  }

  /** Applies one event the log delivered, tells the followers, and moves the followed position. */
  applyFollowed(event: RecordedEvent): void {
    this.apply(event);
    for (const follower of this.followers) follower(event);
    this.position = event.position;
    this.positionEventId = event.id;
    this.eventsFollowed++;
    for (const wake of this.positionWaiters) wake();
  }

  /**
   * Follows the log after the followed position (its start, or where a snapshot left it);
   * resolves once caught up with what it held at the call.
   */
  follow(store: EventStore, onError: (error: Error) => void): Promise<void> {
    return new Promise((caughtUp) => {
      this.subscription = store.subscribeToAll({
        after: this.position,
        onEvent: (event) => this.applyFollowed(event),
        onCaughtUp: () => caughtUp(),
        onError,
      });
    });
  }

  /**
   * Waits (at most `timeoutMs`) until this view has seen the log up to `position`: what another
   * instance appended before then (a host it just enrolled) is then known here too.
   */
  async waitForPosition(position: number, timeoutMs: number): Promise<boolean> {
    if (this.position >= position) return true;
    return new Promise((resolve) => {
      const check = () => {
        if (this.position < position) return;
        finish(true);
      };
      const finish = (reached: boolean) => {
        clearTimeout(timer);
        this.positionWaiters.delete(check);
        resolve(reached);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.positionWaiters.add(check);
    });
  }

  /** Waits (at most `timeoutMs`) until this view has seen everything the log holds now. */
  async catchUpWith(store: EventStore, timeoutMs: number): Promise<boolean> {
    return this.waitForPosition(await store.headPosition(), timeoutMs);
  }

  async close(): Promise<void> {
    await this.subscription?.close();
    this.subscription = null;
  }
}
