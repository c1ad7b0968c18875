/**
 * The agent view as snapshot data and back: hosts as compact tuples (in chunks), the spec side
 * and the running campaigns as plain objects. Decoding checks every field it reads: a snapshot
 * that does not decode to exactly the shapes below is refused as a whole (the caller then builds
 * the view from the log instead), never half-used.
 *
 * Invariant: decoding what encoding made gives a view that serves as the encoded one did: host
 * states in the decider's compact form (shared id lists, interned facts), the same presence
 * numbers, the same specs and campaigns.
 */
import type { HostState } from '../../shared/domain/hosts/host-decider';
import { internFactsInPlace, labelIdList, NO_IDS, withPolicyResults } from '../../shared/domain/hosts/compact-host-state';
import type { HostFacts } from '../../shared/domain/hosts/host-events';
import type { AgentView, HostRecord, ViewSpecs } from './agent-view';
import type { LiveCampaignSnapshot } from './live-campaigns';

/** One host: stream, revision, the decider state's fields, then the presence numbers. */
export type HostTuple = [
  streamId: string,
  revision: number,
  id: number | null,
  hostIdentifier: string | null,
  nodeKeyHash: string | null,
  teamId: number | null,
  facts: Record<string, string | number>,
  labelIds: number[],
  policyResults: number[],
  seenAt: number,
  detailsAt: number,
  labelsAt: number,
  policiesAt: number,
  checkInIntervalSeconds: number | null,
];

/** The non-host part of a snapshot, taken in one synchronous step at the position it covers. */
export interface SnapshotHead {
  specs: ViewSpecs;
  campaigns: LiveCampaignSnapshot[];
}

export class SnapshotDecodeError extends Error {
  constructor(what: string) {
    super(`agent view snapshot: ${what}`);
    this.name = 'SnapshotDecodeError';
  }
}

export function encodeHost(host: HostRecord): HostTuple {
  const { state } = host;
  return [
    host.streamId,
    host.revision,
    state.id,
    state.hostIdentifier,
    state.nodeKeyHash,
    state.teamId,
    state.facts as Record<string, string | number>,
    state.labelIds as number[],
    state.policyResults as number[],
    host.seenAt,
    host.detailsAt,
    host.labelsAt,
    host.policiesAt,
    null, // once the host's check-in interval; presence now works it out at its flush
  ];
}

const isInteger = (value: unknown): value is number => Number.isSafeInteger(value);
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

export function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new SnapshotDecodeError(what);
}

function nullable<T>(value: unknown, test: (value: unknown) => value is T): value is T | null {
  return value === null || test(value);
}

const isString = (value: unknown): value is string => typeof value === 'string';

function ascendingIntegers(value: unknown): value is number[] {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) {
    if (!isInteger(value[i]) || value[i] < 0 || (i > 0 && value[i] <= value[i - 1])) return false;
  }
  return true;
}

/** The facts a snapshot's JSON gave (an object no one else holds: interned in place). */
function decodeFacts(value: unknown, hostIdentifier: string | null): Partial<HostFacts> {
  check(isObject(value), 'host facts are not an object');
  for (const key of Object.keys(value)) {
    const fact = value[key];
    check(typeof fact === 'string' || isFiniteNumber(fact), 'a host fact is neither text nor a number');
  }
  return internFactsInPlace(value, hostIdentifier);
}

/** The shared policy result list of these encoded entries (ascending, checked by the caller). */
export function policyList(encoded: number[]): readonly number[] {
  if (encoded.length === 0) return NO_IDS;
  const results: Record<string, boolean> = {};
  for (const entry of encoded) results[String(Math.floor(entry / 2))] = entry % 2 === 1;
  return withPolicyResults(NO_IDS, results);
}

/** Adds one snapshot host to the view; throws SnapshotDecodeError when the tuple is not one. */
export function adoptHostTuple(view: AgentView, tuple: unknown): void {
  check(Array.isArray(tuple) && tuple.length === 14, 'a host is not a 14-field tuple');
  const [streamId, revision, id, hostIdentifier, nodeKeyHash, teamId, facts, labelIds, policyResults, seenAt, detailsAt, labelsAt, policiesAt, interval] = tuple as unknown[];
  check(isString(streamId) && streamId !== '', 'a host has no stream');
  check(isInteger(revision) && revision >= 0, `host ${streamId}: bad revision`);
  check(nullable(id, isInteger) && nullable(teamId, isInteger) && (id === null || id >= 0), `host ${streamId}: bad id or team`);
  check(nullable(hostIdentifier, isString) && nullable(nodeKeyHash, isString), `host ${streamId}: bad identifier or node key`);
  check(ascendingIntegers(labelIds) && ascendingIntegers(policyResults), `host ${streamId}: bad label or policy list`);
  check([seenAt, detailsAt, labelsAt, policiesAt].every(isFiniteNumber) && nullable(interval, isFiniteNumber), `host ${streamId}: bad presence`);
  const state: HostState = {
    id,
    hostIdentifier,
    nodeKeyHash,
    teamId,
    facts: decodeFacts(facts, hostIdentifier),
    labelIds: labelIds.length === 0 ? NO_IDS : labelIdList(labelIds),
    policyResults: policyList(policyResults),
  };
  const host = view.adoptHost(streamId, revision, state);
  check(host !== null, `host ${streamId}: its stream, id ${id} or node key is another host's too`);
  host.seenAt = seenAt as number;
  host.detailsAt = detailsAt as number;
  host.labelsAt = labelsAt as number;
  host.policiesAt = policiesAt as number;
}

/** The head as snapshots store it (JSON text: a campaign's NaN expiry is stored as null). */
export function encodeHead(view: AgentView, campaigns: LiveCampaignSnapshot[]): SnapshotHead {
  return { specs: view.exportSpecs(), campaigns };
}

function arrayOf<T>(value: unknown, test: (item: unknown) => boolean, what: string): T[] {
  check(Array.isArray(value) && value.every(test), what);
  return value as T[];
}

const hasNumberId = (item: unknown) => isObject(item) && isInteger(item.id);
const hasName = (item: unknown) => isObject(item) && isString(item.name);
const pairOf = (key: (value: unknown) => boolean, value: (value: unknown) => boolean) => (item: unknown) => Array.isArray(item) && item.length === 2 && key(item[0]) && value(item[1]);

/** The spec side and campaigns of a snapshot; throws SnapshotDecodeError when they are not. */
export function decodeHead(value: unknown): SnapshotHead {
  check(isObject(value) && isObject(value.specs), 'no spec part');
  const specs = value.specs;
  const labels = arrayOf<ViewSpecs['labels'][number]>(specs.labels, (label) => hasNumberId(label) && hasName(label) && Array.isArray((label as { hostnames: unknown }).hostnames), 'bad labels');
  const decoded: ViewSpecs = {
    labels,
    labelIdsByName: arrayOf(specs.labelIdsByName, pairOf(isString, isInteger), 'bad label names'),
    policies: arrayOf(specs.policies, hasNumberId, 'bad policies'),
    queries: arrayOf(specs.queries, hasName, 'bad queries'),
    packs: arrayOf(specs.packs, hasName, 'bad packs'),
    teams: arrayOf(specs.teams, pairOf(isString, hasNumberId), 'bad teams'),
    teamsById: arrayOf(specs.teamsById, hasNumberId, 'bad teams by id'),
    globalSecrets: arrayOf(specs.globalSecrets, isString, 'bad enroll secrets'),
    appConfig: specs.appConfig as ViewSpecs['appConfig'],
    labelsChangedAt: specs.labelsChangedAt as number,
    policiesChangedAt: specs.policiesChangedAt as number,
  };
  check(isObject(decoded.appConfig) && isFiniteNumber(decoded.labelsChangedAt) && isFiniteNumber(decoded.policiesChangedAt), 'bad app config or change times');
  const campaigns = arrayOf<LiveCampaignSnapshot>(
    value.campaigns,
    (campaign) =>
      hasNumberId(campaign) &&
      isString((campaign as LiveCampaignSnapshot).sql) &&
      nullable((campaign as LiveCampaignSnapshot).expiresAt, isFiniteNumber) &&
      Array.isArray((campaign as LiveCampaignSnapshot).targets) &&
      (campaign as LiveCampaignSnapshot).targets.every(isInteger) &&
      nullable((campaign as LiveCampaignSnapshot).members, isString) &&
      Array.isArray((campaign as LiveCampaignSnapshot).answered) &&
      (campaign as LiveCampaignSnapshot).answered.every(isInteger) &&
      Array.isArray((campaign as LiveCampaignSnapshot).handedOut) &&
      (campaign as LiveCampaignSnapshot).handedOut.every(pairOf(isInteger, isFiniteNumber)),
    'bad campaigns',
  ).map((campaign) => ({ ...campaign, expiresAt: campaign.expiresAt ?? NaN }));
  return { specs: decoded, campaigns };
}
