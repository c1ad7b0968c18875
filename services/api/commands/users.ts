/** Setup, user creation, login and logout: users are event-sourced like everything else. */
import { hashPassword, verifyPassword } from '../../../shared/auth/passwords';
import { newToken, tokenHash } from '../../../shared/auth/tokens';
import { organizationDecider, ORGANIZATION_STREAM, setupAlreadyCompleted } from '../../../shared/domain/organization/organization-decider';
import type { GlobalRole } from '../../../shared/domain/users/roles';
import { userDecider, userStreamId, type CreateUser, type SessionToken } from '../../../shared/domain/users/user-decider';
import { idReservedFor, onStream, runCommand, runCommandOnStreams, type ReservedIds } from '../../../shared/eventsourcing/command-runner';
import type { CommandContext } from '../../../shared/eventsourcing/metadata';
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

/** Logs a user in; the login is recorded with the user as its actor. */
export async function logIn(deps: SpecCommandDeps, email: string, password: string, sessionTtlHours: number, context: CommandContext): Promise<SessionIssued> {
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

export async function logOut(deps: SpecCommandDeps, email: string, token: string, context: CommandContext): Promise<{ position: number | null }> {
  const { position } = await runCommand(deps, { streamId: userStreamId(email), decider: userDecider, command: { kind: 'log-out', token_hash: tokenHash(token) }, context });
  return { position };
}
