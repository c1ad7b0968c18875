/**
 * The host aggregate: enrollment and what a host reports about itself. Pure: the agent API loads
 * the state, asks here which events a command causes, and appends them.
 */
import { unexpectedEvent, type Decider } from '../decider';
import { hasLabelId, internFactsInPlace, labelIdList, NO_IDS, policyResultOf, withPolicyResults } from './compact-host-state';
import {
  HOST_ENROLLED,
  HOST_FACTS_CHANGED,
  HOST_LABELS_CHANGED,
  HOST_POLICY_RESULTS_CHANGED,
  HOST_REENROLLED,
  type HostEvent,
  type HostFacts,
} from './host-events';

export interface HostState {
  id: number | null;
  hostIdentifier: string | null;
  nodeKeyHash: string | null;
  teamId: number | null;
  /** What the host last reported; values equal across hosts share one instance (internFacts). */
  facts: Readonly<Partial<HostFacts>>;
  /** The labels the host is a member of: ascending ids, shared between hosts (compact-host-state.ts). */
  labelIds: readonly number[];
  /** Policy results as `id * 2 + (passing ? 1 : 0)`, ascending; read with hostPolicyResult. */
  policyResults: readonly number[];
}

export function isLabelMember(state: HostState, labelId: number): boolean {
  return hasLabelId(state.labelIds, labelId);
}

/** The host's last recorded result of a policy, undefined when it has none. */
export function hostPolicyResult(state: HostState, policyId: number): boolean | undefined {
  return policyResultOf(state.policyResults, policyId);
}

const initialHostState: HostState = {
  id: null,
  hostIdentifier: null,
  nodeKeyHash: null,
  teamId: null,
  facts: {},
  labelIds: NO_IDS,
  policyResults: NO_IDS,
};

function evolveHost(state: HostState, event: HostEvent): HostState {
  switch (event.type) {
    case HOST_ENROLLED:
      return {
        ...state,
        id: event.data.id,
        hostIdentifier: event.data.host_identifier,
        nodeKeyHash: event.data.node_key_hash,
        teamId: event.data.team_id,
        facts: internFactsInPlace({ ...event.data.facts }, event.data.host_identifier),
      };
    case HOST_REENROLLED:
      return { ...state, nodeKeyHash: event.data.node_key_hash, teamId: event.data.team_id };
    case HOST_FACTS_CHANGED:
      return { ...state, facts: internFactsInPlace({ ...state.facts, ...event.data.facts }, state.hostIdentifier) };
    case HOST_LABELS_CHANGED: {
      const labelIds = new Set(state.labelIds);
      for (const id of event.data.added) labelIds.add(id);
      for (const id of event.data.removed) labelIds.delete(id);
      return { ...state, labelIds: labelIdList(labelIds) };
    }
    case HOST_POLICY_RESULTS_CHANGED:
      return { ...state, policyResults: withPolicyResults(state.policyResults, event.data.results) };
    default:
      return unexpectedEvent(event);
  }
}

export interface EnrollHost {
  kind: 'enroll';
  hostIdentifier: string;
  nodeKeyHash: string;
  teamId: number | null;
  facts: Partial<HostFacts>;
  /** The id to give the host if it is new (reserved by the caller in the same append). */
  newId: () => number;
}

/** A new host is enrolled; a known one gets the new node key (and team) and any changed facts. */
function decideEnrollHost(command: EnrollHost, state: HostState): HostEvent[] {
  if (state.id === null) {
    return [
      {
        type: HOST_ENROLLED,
        data: { id: command.newId(), host_identifier: command.hostIdentifier, node_key_hash: command.nodeKeyHash, team_id: command.teamId, facts: command.facts },
      },
    ];
  }
  return [{ type: HOST_REENROLLED, data: { node_key_hash: command.nodeKeyHash, team_id: command.teamId } }, ...decideFactsChange(command.facts, state)];
}

/** What a host reported in one distributed/write, already interpreted. */
export interface RecordHostReport {
  facts?: Partial<HostFacts>;
  /** Label id → member, for each label query the host answered. */
  labels?: Map<number, boolean>;
  /** Policy id → passing, for each policy query the host answered. */
  policies?: Map<number, boolean>;
}

function decideRecordHostReport(command: RecordHostReport, state: HostState): HostEvent[] {
  if (state.id === null) return [];
  return [
    ...decideFactsChange(command.facts ?? {}, state),
    ...decideLabelsChange(command.labels ?? new Map(), state),
    ...decidePolicyResultsChange(command.policies ?? new Map(), state),
  ];
}

function decideFactsChange(facts: Partial<HostFacts>, state: HostState): HostEvent[] {
  const changed: Partial<HostFacts> = {};
  for (const [key, value] of Object.entries(facts) as Array<[keyof HostFacts, HostFacts[keyof HostFacts]]>) {
    if (value !== undefined && state.facts[key] !== value) (changed as Record<string, unknown>)[key] = value;
  }
  return Object.keys(changed).length === 0 ? [] : [{ type: HOST_FACTS_CHANGED, data: { facts: changed } }];
}

function decideLabelsChange(labels: Map<number, boolean>, state: HostState): HostEvent[] {
  const added: number[] = [];
  const removed: number[] = [];
  for (const [id, member] of labels) {
    if (member && !isLabelMember(state, id)) added.push(id);
    if (!member && isLabelMember(state, id)) removed.push(id);
  }
  if (added.length === 0 && removed.length === 0) return [];
  return [{ type: HOST_LABELS_CHANGED, data: { added: added.sort((a, b) => a - b), removed: removed.sort((a, b) => a - b) } }];
}

function decidePolicyResultsChange(policies: Map<number, boolean>, state: HostState): HostEvent[] {
  const results: Record<string, boolean> = {};
  for (const [id, passing] of policies) {
    if (hostPolicyResult(state, id) !== passing) results[String(id)] = passing;
  }
  return Object.keys(results).length === 0 ? [] : [{ type: HOST_POLICY_RESULTS_CHANGED, data: { results } }];
}

export type HostCommand = EnrollHost | ({ kind: 'record-report' } & RecordHostReport);

export const hostDecider: Decider<HostCommand, HostState, HostEvent> = {
  initialState: initialHostState,
  decide: (command, state) => (command.kind === 'enroll' ? decideEnrollHost(command, state) : decideRecordHostReport(command, state)),
  evolve: evolveHost,
};
