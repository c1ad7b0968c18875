/** Fleet's host status, derived from when the host was last seen. */
export type HostStatus = 'online' | 'offline' | 'mia';

/** A host that has not checked in for this long is missing in action. */
export const MIA_AFTER_MS = 30 * 24 * 3600 * 1000;
/** Slack added to the check-in interval before a host counts as offline (as Fleet does). */
export const ONLINE_BUFFER_MS = 60_000;
/** Hosts enrolled this recently count as new. */
export const NEW_FOR_MS = 24 * 3600 * 1000;

export function hostStatus(seenTime: string | null, checkInIntervalMs: number, now: number): HostStatus {
  return hostStatusAt(seenTime ? Date.parse(seenTime) : 0, checkInIntervalMs, now);
}

/** The same rule on a time in ms since the epoch (0: never seen), for callers that hold numbers. */
export function hostStatusAt(seen: number, checkInIntervalMs: number, now: number): HostStatus {
  if (now - seen > MIA_AFTER_MS) return 'mia';
  if (now - seen > checkInIntervalMs + ONLINE_BUFFER_MS) return 'offline';
  return 'online';
}

export function isNewHost(enrolledAt: string, now: number): boolean {
  return now - Date.parse(enrolledAt) <= NEW_FOR_MS;
}
