import assert from 'node:assert/strict';
import { hostControlDecider } from '../../shared/domain/shells/shell-control-decider';
import type { HostControlEvent, ShellSessionEvent, ShellSessionRequested } from '../../shared/domain/shells/shell-events';
import { shellSessionDecider, shellSessionStreamId } from '../../shared/domain/shells/shell-session-decider';
import { givenWhenThen } from '../support/given-when-then';

const requestShell = givenWhenThen(shellSessionDecider);
const joinAsLauncher = requestShell;
const joinAsOperator = requestShell;
const closeShell = requestShell;
const recordPoll = givenWhenThen(hostControlDecider);

const ada = { id: 1, email: 'ada@example.com' };
const requested: ShellSessionRequested = {
  session_id: 's-1',
  host_id: 7,
  hostname: 'web-1',
  operator: ada,
  secret_hash: 'hash-of-secret',
  secret_expires_at: '2024-05-07T09:01:00.000Z',
};
const requestedEvent: ShellSessionEvent = { type: 'ShellSessionRequested', data: requested };
const launcherJoined: ShellSessionEvent = { type: 'ShellLauncherJoined', data: { session_id: 's-1', host_id: 7 } };
const operatorJoined: ShellSessionEvent = { type: 'ShellOperatorJoined', data: { session_id: 's-1', operator: ada } };
const closed: ShellSessionEvent = {
  type: 'ShellSessionClosed',
  data: { session_id: 's-1', reason: 'operator left', closed_by: 'operator', bytes_to_launcher: 10, bytes_from_launcher: 20 },
};
const BEFORE_EXPIRY = '2024-05-07T09:00:30.000Z';

describe('decideRequestShell', () => {
  it('requests a session on a host that enabled remote shells', () => {
    requestShell.given([]).when({ kind: 'request', ...requested, hostControlEnabled: true }).then([requestedEvent]);
  });

  it('refuses a host whose launcher never polled', () => {
    requestShell.given([]).when({ kind: 'request', ...requested, hostControlEnabled: false }).thenFails('bad_request', /not enabled remote shells/);
  });

  it('refuses to request the same session twice', () => {
    requestShell.given([requestedEvent]).when({ kind: 'request', ...requested, hostControlEnabled: true }).thenFails('conflict', /already exists/);
  });

  it('keeps one stream per session', () => {
    assert.equal(shellSessionStreamId('s-1'), 'shell-s-1');
  });
});

describe('decideJoinAsLauncher', () => {
  const join = { kind: 'join-as-launcher' as const, host_id: 7, secret_hash: 'hash-of-secret', now: BEFORE_EXPIRY };

  it('lets the host in with the right secret before it expires', () => {
    joinAsLauncher.given([requestedEvent]).when(join).then([launcherJoined]);
  });

  it('refuses a wrong secret', () => {
    joinAsLauncher.given([requestedEvent]).when({ ...join, secret_hash: 'other' }).thenFails('unauthorized', /not valid/);
  });

  it('refuses a secret used once already', () => {
    joinAsLauncher.given([requestedEvent, launcherJoined]).when(join).thenFails('unauthorized', /not valid/);
  });

  it('refuses an expired secret', () => {
    joinAsLauncher.given([requestedEvent]).when({ ...join, now: requested.secret_expires_at }).thenFails('unauthorized', /not valid/);
  });

  it("refuses another host presenting this session's secret", () => {
    joinAsLauncher.given([requestedEvent]).when({ ...join, host_id: 8 }).thenFails('unauthorized', /not valid/);
  });

  it('refuses a closed or unknown session', () => {
    joinAsLauncher.given([requestedEvent, closed]).when(join).thenFails('unauthorized', /not valid/);
    joinAsLauncher.given([]).when(join).thenFails('unauthorized', /not valid/);
  });
});

describe('decideJoinAsOperator', () => {
  it('lets the requesting operator join', () => {
    joinAsOperator.given([requestedEvent, launcherJoined]).when({ kind: 'join-as-operator', operator: ada }).then([operatorJoined]);
  });

  it('refuses another operator', () => {
    joinAsOperator.given([requestedEvent]).when({ kind: 'join-as-operator', operator: { id: 2, email: 'bob@example.com' } }).thenFails('forbidden', /another operator/);
  });

  it('refuses a second join and a closed session', () => {
    joinAsOperator.given([requestedEvent, operatorJoined]).when({ kind: 'join-as-operator', operator: ada }).thenFails('conflict', /already joined/);
    joinAsOperator.given([requestedEvent, closed]).when({ kind: 'join-as-operator', operator: ada }).thenFails('conflict', /closed/);
  });

  it('does not know a session never requested', () => {
    joinAsOperator.given([]).when({ kind: 'join-as-operator', operator: ada }).thenFails('not_found', /not found/);
  });
});

describe('decideCloseShell', () => {
  const close = { kind: 'close' as const, reason: 'operator left', closed_by: 'operator' as const, bytes_to_launcher: 10, bytes_from_launcher: 20 };

  it('closes an open session with its reason and byte counts', () => {
    closeShell.given([requestedEvent, launcherJoined, operatorJoined]).when(close).then([closed]);
  });

  it('closes once: a second close adds nothing', () => {
    closeShell.given([requestedEvent, closed]).when({ ...close, reason: 'launcher left' }).then([]);
  });

  it('has nothing to close for an unknown session', () => {
    closeShell.given([]).when(close).then([]);
  });
});

describe('decideRecordShellPoll', () => {
  const host = { host_id: 7, hostname: 'web-1', display_name: 'web-1' };
  const enabled: HostControlEvent = { type: 'ShellControlEnabled', data: host };

  it('records the first poll as the host enabling remote shells', () => {
    recordPoll.given([]).when(host).then([enabled]);
  });

  it('records later polls not at all', () => {
    recordPoll.given([enabled]).when(host).then([]);
  });
});
