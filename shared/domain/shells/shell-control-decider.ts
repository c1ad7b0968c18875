/**
 * A host's launcher control feature, in the host's control stream (`host-control-<host id>`).
 * The launcher opts in by polling /api/v1/shells; the first poll records ShellControlEnabled,
 * later polls record nothing (their time is kept in memory by the broker, not in the log).
 */
import { unexpectedEvent, type Decider } from '../decider';
import { SHELL_CONTROL_ENABLED, type HostControlEvent, type ShellControlEnabled } from './shell-events';

export function hostControlStreamId(hostId: number): string {
  return `host-control-${hostId}`;
}

export interface HostControlState {
  shellEnabled: boolean;
}

/** The host's launcher polled for shells. */
export type RecordShellPoll = ShellControlEnabled;

export const hostControlDecider: Decider<RecordShellPoll, HostControlState, HostControlEvent> = {
  initialState: { shellEnabled: false },
  decide(command, state) {
    if (state.shellEnabled) return [];
    return [{ type: SHELL_CONTROL_ENABLED, data: command }];
  },
  evolve(state, event) {
    switch (event.type) {
      case SHELL_CONTROL_ENABLED:
        return { ...state, shellEnabled: true };
      default:
        return unexpectedEvent(event.type);
    }
  },
};
