/**
 * The osquery TLS API's operations, independent of HTTP: enroll, config, distributed read and
 * write, and logs. Every operation but enroll starts from the host its node key names.
 */
import { tokenHash } from '../../shared/auth/tokens';
import type { EventStore } from '../../shared/ports/event-store';
import type { ResultsBus } from '../../shared/ports/results-bus';
import { AgentRequestError, badRequest, invalidNodeKey } from './agent-errors';
import type { AgentView, HostRecord } from './agent-view';
import { distributedRead, interpretDistributedWrite, parseDistributedWrite, type LiveQueries, type RefreshIntervals } from './distributed';
import { factsFromHostDetails } from './host-facts';
import { Enroller, recordHostReport, type HostCommandDeps } from './host-commands';
import { osqueryConfigFor } from './osquery-config';
import type { PresenceTracker } from './presence';
import type { HostLogDestinations } from './host-logs/host-log-destinations';
import { EMPTY_ANSWER } from './constant-answers';
import { NodeKeyCache } from './node-key-cache';
import { ViewCatchUp } from './view-catch-up';

const NODE_KEY_CATCH_UP_MS = 2_000;
const MAX_HOST_IDENTIFIER = 255;
/** Node keys remembered beyond one per enrolled host (re-enrolls, hosts enrolled meanwhile). */
const NODE_KEY_CACHE_SLACK = 1_024;

export type Body = Record<string, unknown>;

export interface AgentServiceDeps extends HostCommandDeps {
  store: EventStore;
  view: AgentView;
  presence: PresenceTracker;
  bus: ResultsBus;
  /** Where the `log` endpoint's lines go (host-logs/host-log-destinations.ts). */
  hostLogs: HostLogDestinations;
  intervals: RefreshIntervals;
  live?: LiveQueries;
  now?: () => number;
}

export class AgentService {
  private readonly enroller: Enroller;
  private readonly now: () => number;
  private readonly nodeKeys: NodeKeyCache;
  /** Catch-ups for unknown node keys and enroll secrets, coalesced (view-catch-up.ts). */
  readonly catchUps: ViewCatchUp;

  constructor(private readonly deps: AgentServiceDeps) {
    this.enroller = new Enroller(deps);
    this.now = deps.now ?? Date.now;
    const view = deps.view;
    this.nodeKeys = new NodeKeyCache(
      () => view.hostCount + NODE_KEY_CACHE_SLACK,
      // The view indexes a host by exactly its state's node key hash (AgentView.applyHostEvent).
      (hash, host) => host.state.nodeKeyHash === hash,
    );
    this.catchUps = new ViewCatchUp(() => view.catchUpWith(deps.store, NODE_KEY_CATCH_UP_MS));
  }

  async enroll(body: Body): Promise<{ node_key: string }> {
    const secret = body.enroll_secret;
    const identifier = body.host_identifier;
    if (typeof secret !== 'string' || secret === '') throw new AgentRequestError(401, 'missing enroll secret', true);
    if (typeof identifier !== 'string' || identifier.trim() === '' || identifier.length > MAX_HOST_IDENTIFIER) {
      throw badRequest(`"host_identifier" must be a non-empty string of at most ${MAX_HOST_IDENTIFIER} characters`);
    }
    if (body.host_details !== undefined && (body.host_details === null || typeof body.host_details !== 'object' || Array.isArray(body.host_details))) {
      throw badRequest('"host_details" must be an object of table name to row');
    }
    let team = this.deps.view.teamForSecret(secret);
    if (team === undefined) {
      await this.catchUp();
      team = this.deps.view.teamForSecret(secret);
    }
    if (team === undefined) throw new AgentRequestError(401, 'invalid enroll secret', true);
    const facts = factsFromHostDetails((body.host_details ?? {}) as Record<string, unknown>);
    const { nodeKey, host } = await this.enroller.enroll({ hostIdentifier: identifier, teamId: team?.id ?? null, facts });
    host.seenAt = this.now();
    this.deps.presence.touch(host);
    return { node_key: nodeKey };
  }

  /**
   * The host a request's node key names; 401 with node_invalid when none does. Answered at once
   * (no promise) when the view knows the key, as it does at every check-in but a host's first
   * ones after enrolling elsewhere; otherwise after the view caught up with the event log.
   */
  authenticate(body: Body): HostRecord | Promise<HostRecord> {
    const nodeKey = body.node_key;
    if (typeof nodeKey !== 'string' || nodeKey === '') throw invalidNodeKey();
    const known = this.nodeKeys.get(nodeKey);
    if (known) return known;
    const hash = tokenHash(nodeKey);
    const host = this.deps.view.hostByNodeKeyHash(hash);
    if (host) {
      this.nodeKeys.remember(nodeKey, hash, host);
      return host;
    }
    return this.catchUp().then(() => this.deps.view.hostByNodeKeyHash(hash) ?? Promise.reject(invalidNodeKey()));
  }

  private catchUp(): Promise<void> {
    return this.catchUps.request();
  }

  private seen(host: HostRecord): void {
    host.seenAt = this.now();
    this.deps.presence.touch(host);
  }

  config(host: HostRecord): object {
    this.seen(host);
    return osqueryConfigFor(this.deps.view, host);
  }

  distributedRead(host: HostRecord): object {
    this.seen(host);
    return distributedRead(this.deps.view, host, this.deps.intervals, this.now(), this.deps.live);
  }

  async distributedWrite(host: HostRecord, body: Body): Promise<object> {
    const interpreted = interpretDistributedWrite(this.deps.view, parseDistributedWrite(body));
    this.seen(host);
    await recordHostReport(this.deps, host, interpreted.report);
    const now = this.now();
    if (interpreted.answeredDetails) host.detailsAt = now;
    if (interpreted.answeredLabels) host.labelsAt = now;
    if (interpreted.answeredPolicies) host.policiesAt = now;
    if (interpreted.answeredDetails || interpreted.answeredLabels || interpreted.answeredPolicies) this.deps.presence.answered(host);
    const live = this.deps.live;
    if (live && interpreted.campaignAnswers.length > 0) {
      // Every answer is tried, so one failing produce does not leave the others unsent; a
      // failed one is asked again at the next check-in (see LiveCampaigns) and the host gets a 5xx.
      const outcomes = await Promise.allSettled(interpreted.campaignAnswers.map((answer) => live.recordAnswer(host, answer.campaignId, answer.rows, answer.error)));
      const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      if (failure) throw failure.reason;
    }
    return EMPTY_ANSWER;
  }

  /** Answers once the lines are durable at their destination (a 5xx otherwise: osquery sends them again). */
  async log(host: HostRecord, body: Body): Promise<object> {
    const type = body.log_type;
    if (type !== 'result' && type !== 'status') throw badRequest('"log_type" must be "result" or "status"');
    if (!Array.isArray(body.data)) throw badRequest('"data" must be an array of log lines');
    this.seen(host);
    if (body.data.length === 0) return EMPTY_ANSWER;
    await this.deps.hostLogs[type].write({ id: host.state.id!, hostname: host.state.facts.hostname ?? '' }, body.data);
    return EMPTY_ANSWER;
  }
}
