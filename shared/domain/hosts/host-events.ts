/**
 * Events of a host's stream (`host-<host identifier>`). Check-ins (last seen) are not events: they
 * are too frequent and live in the presence model. Facts, label membership and policy results are
 * recorded only when they change.
 */

/** Host facts as Fleet shows them; every value is what the host last reported. */
export interface HostFacts {
  hostname: string;
  uuid: string;
  hardware_serial: string;
  hardware_model: string;
  hardware_vendor: string;
  computer_name: string;
  cpu_brand: string;
  cpu_logical_cores: number;
  memory: number;
  platform: string;
  platform_like: string;
  os_version: string;
  build: string;
  osquery_version: string;
  primary_ip: string;
  primary_mac: string;
  uptime: number;
}

export const HOST_ENROLLED = 'HostEnrolled';
export interface HostEnrolled {
  id: number;
  host_identifier: string;
  /** SHA-256 of the node key, hex; the key itself is never stored. */
  node_key_hash: string;
  team_id: number | null;
  facts: Partial<HostFacts>;
}

/** The same host enrolled again: a new node key replaces the old one. */
export const HOST_REENROLLED = 'HostReenrolled';
export interface HostReenrolled {
  node_key_hash: string;
  team_id: number | null;
}

export const HOST_FACTS_CHANGED = 'HostFactsChanged';
export interface HostFactsChanged {
  facts: Partial<HostFacts>;
}

export const HOST_LABELS_CHANGED = 'HostLabelsChanged';
export interface HostLabelsChanged {
  added: number[];
  removed: number[];
}

/** Policy id → passing (true) or failing (false); only the policies whose result changed. */
export const HOST_POLICY_RESULTS_CHANGED = 'HostPolicyResultsChanged';
export interface HostPolicyResultsChanged {
  results: Record<string, boolean>;
}

export const HOST_EVENT_TYPES = [HOST_ENROLLED, HOST_REENROLLED, HOST_FACTS_CHANGED, HOST_LABELS_CHANGED, HOST_POLICY_RESULTS_CHANGED] as const;

export type HostEvent =
  | { type: typeof HOST_ENROLLED; data: HostEnrolled }
  | { type: typeof HOST_REENROLLED; data: HostReenrolled }
  | { type: typeof HOST_FACTS_CHANGED; data: HostFactsChanged }
  | { type: typeof HOST_LABELS_CHANGED; data: HostLabelsChanged }
  | { type: typeof HOST_POLICY_RESULTS_CHANGED; data: HostPolicyResultsChanged };

export function hostStreamId(hostIdentifier: string): string {
  return `host-${hostIdentifier}`;
}

export function isHostEventType(type: string): type is HostEvent['type'] {
  return (HOST_EVENT_TYPES as readonly string[]).includes(type);
}
