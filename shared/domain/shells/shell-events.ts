/**
 * Events of the remote shell family: a session's stream (`shell-<session id>`) and a host's
 * control stream (`host-control-<host id>`). The session secret is never recorded: only its
 * SHA-256 and when it expires. Persisted: never change type strings or data shapes.
 */

export const SHELL_SESSION_REQUESTED = 'ShellSessionRequested';
export const SHELL_LAUNCHER_JOINED = 'ShellLauncherJoined';
export const SHELL_OPERATOR_JOINED = 'ShellOperatorJoined';
export const SHELL_SESSION_CLOSED = 'ShellSessionClosed';
/** The launcher's first poll of /api/v1/shells: the host enabled remote shells. */
export const SHELL_CONTROL_ENABLED = 'ShellControlEnabled';

export interface ShellOperator {
  id: number;
  email: string;
}

export interface ShellSessionRequested {
  session_id: string;
  host_id: number;
  hostname: string;
  operator: ShellOperator;
  secret_hash: string;
  secret_expires_at: string;
}

export interface ShellLauncherJoined {
  session_id: string;
  host_id: number;
}

export interface ShellOperatorJoined {
  session_id: string;
  operator: ShellOperator;
}

/** Why a session ended; `closed_by` says which side (or Logbook) ended it. */
export interface ShellSessionClosed {
  session_id: string;
  reason: string;
  closed_by: 'operator' | 'launcher' | 'logbook';
  bytes_to_launcher: number;
  bytes_from_launcher: number;
}

export interface ShellControlEnabled {
  host_id: number;
  hostname: string;
  display_name: string;
}

export type ShellSessionEvent =
  | { type: typeof SHELL_SESSION_REQUESTED; data: ShellSessionRequested }
  | { type: typeof SHELL_LAUNCHER_JOINED; data: ShellLauncherJoined }
  | { type: typeof SHELL_OPERATOR_JOINED; data: ShellOperatorJoined }
  | { type: typeof SHELL_SESSION_CLOSED; data: ShellSessionClosed };

export type HostControlEvent = { type: typeof SHELL_CONTROL_ENABLED; data: ShellControlEnabled };

export type ShellEvent = ShellSessionEvent | HostControlEvent;

export const SHELL_EVENT_TYPES = [SHELL_SESSION_REQUESTED, SHELL_LAUNCHER_JOINED, SHELL_OPERATOR_JOINED, SHELL_SESSION_CLOSED, SHELL_CONTROL_ENABLED] as const;

export function isShellEventType(type: string): type is ShellEvent['type'] {
  return (SHELL_EVENT_TYPES as readonly string[]).includes(type);
}
