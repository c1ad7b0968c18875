import { SHELL_CONTROL_ENABLED } from '../../../shared/domain/shells/shell-events';
import {
  SHELL_LAUNCHER_JOINED,
  SHELL_OPERATOR_JOINED,
  SHELL_SESSION_CLOSED,
  SHELL_SESSION_REQUESTED,
  type ShellSessionClosed,
  type ShellSessionRequested,
} from '../../../shared/domain/shells/shell-events';
import { ACTIVITIES, SHELL_HOSTS, SHELL_SESSIONS } from '../../../shared/read-models/read-model-types';
import { ADMIN, atPosition, givenEvents, type GivenEvent } from '../../support/given-events';

const launcher = { type: 'host' as const, id: 'abc' };
const inSession = (type: string, data: unknown, actor = ADMIN): GivenEvent => ({ type, data, streamId: 'shell-s1', actor });

const requested: ShellSessionRequested = {
  session_id: 's1',
  host_id: 7,
  hostname: 'web-1',
  operator: { id: 1, email: ADMIN.email! },
  secret_hash: 'cafe',
  secret_expires_at: '2024-01-01T00:05:00.000Z',
};
const closed: ShellSessionClosed = { session_id: 's1', reason: 'launcher exited', closed_by: 'launcher', bytes_to_launcher: 120, bytes_from_launcher: 4096 };

const requestedDoc = {
  session_id: 's1',
  host_id: 7,
  hostname: 'web-1',
  operator: { id: 1, email: ADMIN.email! },
  status: 'requested',
  requested_at: atPosition(0),
  launcher_joined_at: null,
  operator_joined_at: null,
  closed_at: null,
  close_reason: null,
  closed_by: null,
  bytes_to_launcher: 0,
  bytes_from_launcher: 0,
};

const opened = {
  id: 1,
  created_at: atPosition(0),
  actor_full_name: 'Admin',
  actor_id: 1,
  actor_email: ADMIN.email!,
  type: 'opened_remote_shell',
  details: { session_id: 's1', host_id: 7, host_display_name: 'web-1' },
};

const wholeSession = [
  inSession(SHELL_SESSION_REQUESTED, requested),
  inSession(SHELL_LAUNCHER_JOINED, { session_id: 's1', host_id: 7 }, launcher),
  inSession(SHELL_OPERATOR_JOINED, { session_id: 's1', operator: requested.operator }),
  inSession(SHELL_SESSION_CLOSED, closed, launcher),
];

const closedDoc = {
  ...requestedDoc,
  status: 'closed',
  launcher_joined_at: atPosition(1),
  operator_joined_at: atPosition(2),
  closed_at: atPosition(3),
  close_reason: 'launcher exited',
  closed_by: 'launcher',
  bytes_to_launcher: 120,
  bytes_from_launcher: 4096,
};

describe('shell projection', () => {
  it('writes a shell host when a launcher enables remote shells', async () => {
    await givenEvents([
      { type: SHELL_CONTROL_ENABLED, data: { host_id: 7, hostname: 'web-1', display_name: 'Web 1' }, streamId: 'host_control-7', actor: launcher },
    ]).thenCollections({
      [SHELL_HOSTS]: { '7': { host_id: 7, hostname: 'web-1', display_name: 'Web 1', shell_enabled_at: atPosition(0) } },
      [ACTIVITIES]: {},
    });
  });

  it('writes a requested session and an opened_remote_shell activity, without the secret', async () => {
    await givenEvents([inSession(SHELL_SESSION_REQUESTED, requested)]).thenCollections({
      [SHELL_SESSIONS]: { s1: requestedDoc },
      [ACTIVITIES]: { 'shell:s1:opened_remote_shell': opened },
    });
  });

  it('follows the session to its close, crediting closed_remote_shell to the operator whoever closed it', async () => {
    await givenEvents(wholeSession).thenCollections({
      [SHELL_SESSIONS]: { s1: closedDoc },
      [ACTIVITIES]: {
        'shell:s1:opened_remote_shell': opened,
        'shell:s1:closed_remote_shell': {
          id: 4,
          created_at: atPosition(3),
          actor_full_name: null,
          actor_id: 1,
          actor_email: ADMIN.email!,
          type: 'closed_remote_shell',
          details: { session_id: 's1', host_id: 7, host_display_name: 'web-1', reason: 'launcher exited', closed_by: 'launcher', bytes_to_launcher: 120, bytes_from_launcher: 4096 },
        },
      },
    });
  });

  it('opens the session when the launcher joins, but not once it is closed', async () => {
    await givenEvents([inSession(SHELL_SESSION_REQUESTED, requested), inSession(SHELL_LAUNCHER_JOINED, { session_id: 's1', host_id: 7 }, launcher)]).thenDocuments(SHELL_SESSIONS, {
      s1: { ...requestedDoc, status: 'open', launcher_joined_at: atPosition(1) },
    });
    await givenEvents([
      inSession(SHELL_SESSION_REQUESTED, requested),
      inSession(SHELL_SESSION_CLOSED, closed),
      inSession(SHELL_LAUNCHER_JOINED, { session_id: 's1', host_id: 7 }, launcher),
    ]).thenDocuments(SHELL_SESSIONS, {
      s1: { ...requestedDoc, status: 'closed', launcher_joined_at: atPosition(2), closed_at: atPosition(1), close_reason: 'launcher exited', closed_by: 'launcher', bytes_to_launcher: 120, bytes_from_launcher: 4096 },
    });
  });

  it('ignores events of a session it has not seen requested', async () => {
    await givenEvents([inSession(SHELL_OPERATOR_JOINED, { session_id: 's1', operator: requested.operator }), inSession(SHELL_SESSION_CLOSED, closed)]).thenNothingProjected();
  });

  it('leaves the same documents when its events are applied twice', async () => {
    await givenEvents(wholeSession).appliedTwice().thenDocuments(SHELL_SESSIONS, { s1: closedDoc });
    await givenEvents(wholeSession).thenReplayChangesNothing();
  });
});
