/** Setup, user creation, login and logout: users are event-sourced like everything else. */
import type { Lockout, LoginThrottle } from '../../../shared/auth/login-throttle';
import { hashPassword, verifyPassword } from '../../../shared/auth/passwords';
import { newToken, tokenHash } from '../../../shared/auth/tokens';
import { DomainError, TooManyRequests } from '../../../shared/domain/errors';
import { organizationDecider, ORGANIZATION_STREAM, setupAlreadyCompleted } from '../../../shared/domain/organization/organization-decider';
import type { GlobalRole } from '../../../shared/domain/users/roles';
import { userDecider, userStreamId, type CreateUser, type SessionToken } from '../../../shared/domain/users/user-decider';
import { idReservedFor, onStream, runCommand, runCommandOnStreams, type ReservedIds } from '../../../shared/eventsourcing/command-runner';
import type { CommandContext } from '../../../shared/eventsourcing/metadata';
import type { Logger } from '../../../shared/observability/logger';
import type { SpecCommandDeps } from './apply-specs';

/** Users' ids come from this kind's sequence; each is reserved under the user's email. */
const USER_ID_KIND = 'user';

export interface NewUser {
  name: string;
  email: string;
  password: string;
  global_role: GlobalRole;
}

export interface SessionIssued {
  userId: number;
  token: string;
  position: number;
}

function sessionToken(token: string, sessionTtlHours: number, context: CommandContext): SessionToken {
  return { token_hash: tokenHash(token), expires_at: new Date(context.now().getTime() + sessionTtlHours * 3_600_000).toISOString() };
}

function createUserCommand(user: NewUser, passwordHash: string, reserved: ReservedIds): CreateUser {
  return { kind: 'create', id: idReservedFor(reserved, user.email), email: user.email, name: user.name, global_role: user.global_role, password_hash: passwordHash };
}

/**
 * First-run setup: creates the first admin, logged in, only while no user exists. "No user
 * exists" is "the admin's reserved id is 1": the reservation appends with the user sequence's
 * expected revision, so a user created concurrently makes this a conflict, then a refusal.
 */
export async function setUp(
  deps: SpecCommandDeps,
  input: { admin: NewUser; orgName: string; serverUrl: string },
  sessionTtlHours: number,
  context: CommandContext,
): Promise<SessionIssued> {
  const passwordHash = await hashPassword(input.admin.password);
  const token = newToken();
  const user = onStream({
    streamId: userStreamId(input.admin.email),
    decider: userDecider,
    reserveId: { kind: USER_ID_KIND, nameFor: () => input.admin.email },
    commandWith: (reserved) => {
      if (idReservedFor(reserved, input.admin.email) !== 1) throw setupAlreadyCompleted();
      return { ...createUserCommand(input.admin, passwordHash, reserved), session: sessionToken(token, sessionTtlHours, context) };
    },
  });
  const organization = onStream({ streamId: ORGANIZATION_STREAM, decider: organizationDecider, command: { org_name: input.orgName, server_url: input.serverUrl } });
  const { position, reservedIds } = await runCommandOnStreams(deps, { streams: [user, organization], context });
  return { userId: idReservedFor(reservedIds, input.admin.email), token, position: position! };
}

export async function createUser(deps: SpecCommandDeps, user: NewUser, context: CommandContext): Promise<{ id: number; position: number }> {
  const passwordHash = await hashPassword(user.password);
  const { position, reservedIds } = await runCommand(deps, {
    streamId: userStreamId(user.email),
    decider: userDecider,
    reserveId: { kind: USER_ID_KIND, nameFor: () => user.email },
    commandWith: (reserved) => createUserCommand(user, passwordHash, reserved),
    context,
  });
  return { id: idReservedFor(reservedIds, user.email), position: position! };
}

/** A hash to compare against when the email is unknown, so both cases take as long. */
let decoyHash: Promise<string> | null = null;

/** What a login needs besides the stores: the throttle and where to log lockouts. */
export interface LoginDeps extends SpecCommandDeps {
  throttle: LoginThrottle;
  logger: Pick<Logger, 'warn' | 'error'>;
}

export interface LoginAttemptInput {
  email: string;
  password: string;
  /** The client's address as throttled (see shared/http/client-address.ts networkKey). */
  address: string;
}

/**
 * Logs a user in; the login is recorded with the user as its actor. The attempt is admitted by
 * the throttle (and counted) before anything is awaited, so parallel guesses are all counted;
 * a refused attempt is a 429 with the seconds to wait, whether or not the email exists.
 */
export async function logIn(deps: LoginDeps, input: LoginAttemptInput, sessionTtlHours: number, context: CommandContext): Promise<SessionIssued> {
  const admission = deps.throttle.admit(input.email, input.address);
  if (!admission.admitted) {
    throw new TooManyRequests(`too many failed logins; try again in ${admission.retryAfterSeconds} s`, admission.retryAfterSeconds);
  }
  let session: SessionIssued;
  try {
    session = await checkPasswordAndLogIn(deps, input.email, input.password, sessionTtlHours, context);
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'unauthorized') {
      const lockouts = admission.attempt.failed();
      // Not awaited: the answer to this attempt must not take longer when the email exists.
      if (lockouts.length > 0) void recordLockouts(deps, lockouts, input.address, context);
    } else {
      admission.attempt.abandoned();
    }
    throw error;
  }
  admission.attempt.succeeded();
  return session;
}

async function checkPasswordAndLogIn(deps: SpecCommandDeps, email: string, password: string, sessionTtlHours: number, context: CommandContext): Promise<SessionIssued> {
  const streamId = userStreamId(email);
  const { state } = await deps.loader.load(streamId, userDecider);
  decoyHash ??= hashPassword('decoy password 1!');
  const passwordMatches = state.user !== null && (await verifyPassword(password, state.user.password_hash));
  if (state.user === null) await verifyPassword(password, await decoyHash);
  const token = newToken();
  const outcome = await runCommand(deps, {
    streamId,
    decider: userDecider,
    command: { kind: 'log-in', passwordMatches, ...sessionToken(token, sessionTtlHours, context) },
    // decide refuses a login without a user, so the user is there when the events are recorded.
    actorFrom: ({ user }) => ({ type: 'user', id: String(user!.id), email: user!.email, name: user!.name }),
    context,
  });
  return { userId: outcome.state.user!.id, token, position: outcome.position! };
}

/**
 * Logs every lockout a failure began, and records an account's as a UserLoginLockedOut on the
 * user's stream, for the activity feed. Lockouts of emails nobody has and of addresses are only
 * logged: they are attacker-driven, and must not create streams or flood the feed.
 */
async function recordLockouts(deps: LoginDeps, lockouts: Lockout[], address: string, context: CommandContext): Promise<void> {
  for (const lockout of lockouts) {
    const until = lockout.until.toISOString();
    const reason = `${lockout.failures} failed logins within ${lockout.windowSeconds} s`;
    deps.logger.warn({ scope: lockout.scope, key: lockout.key, until, reason, correlationId: context.correlationId }, `login locked out for this ${lockout.scope}`);
    if (lockout.scope !== 'account') continue;
    try {
      await runCommand(deps, { streamId: userStreamId(lockout.key), decider: userDecider, command: { kind: 'record-lockout', until, reason, address }, context });
    } catch (error) {
      deps.logger.error({ err: error, email: lockout.key, until }, 'a login lockout could not be recorded');
    }
  }
}

export async function logOut(deps: SpecCommandDeps, email: string, token: string, context: CommandContext): Promise<{ position: number | null }> {
  const { position } = await runCommand(deps, { streamId: userStreamId(email), decider: userDecider, command: { kind: 'log-out', token_hash: tokenHash(token) }, context });
  return { position };
}
