/**
 * A host's launcher control feature, in the host's control stream (`host-control-<host id>`).
 * The launcher opts in by polling /api/v1/shells; the first poll records ShellControlEnabled,
 * later polls record nothing (their time is kept in memory by the broker, not in the log).
 */
export const SHELL_CONTROL_ENABLED = 'ShellControlEnabled';

export function hostControlStreamId(hostId: number): string {
  return `host-control-${hostId}`;
}

export interface ShellControlEnabled {
  host_id: number;
  hostname: string;
  display_name: string;
}

export type HostControlEvent = { type: typeof SHELL_CONTROL_ENABLED; data: ShellControlEnabled };

export interface HostControlState {
  shellEnabled: boolean;
}

export const initialHostControlState: HostControlState = { shellEnabled: false };

export function evolveHostControl(state: HostControlState, event: HostControlEvent): HostControlState {
  switch (event.type) {
    case SHELL_CONTROL_ENABLED:
      return { ...state, shellEnabled: true };
  }
}

export function decideRecordShellPoll(command: ShellControlEnabled, state: HostControlState): HostControlEvent[] {
  if (state.shellEnabled) return [];
  return [{ type: SHELL_CONTROL_ENABLED, data: command }];
}
