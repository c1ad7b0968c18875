/** Setup, user creation, login and logout: users are event-sourced like everything else. */
import { hashPassword, verifyPassword } from '../../../shared/auth/passwords';
import { newToken, tokenHash } from '../../../shared/auth/tokens';
import { DomainError } from '../../../shared/domain/errors';
import { ORGANIZATION_SET_UP, type OrganizationSetUp } from '../../../shared/domain/events';
import { decideReserveIds, idSequenceStreamId } from '../../../shared/domain/sequences/id-sequence';
import type { GlobalRole } from '../../../shared/domain/users/roles';
import {
  decideCreateUser,
  decideLogIn,
  decideLogOut,
  evolveUser,
  initialUserState,
  userStreamId,
  type UserEvent,
  type UserState,
} from '../../../shared/domain/users/user-decider';
import type { AggregateType } from '../../../shared/eventsourcing/aggregate-loader';
import { toNewEvents, type CommandContext } from '../../../shared/eventsourcing/metadata';
import { retryOnConflict } from '../../../shared/eventsourcing/retry-on-conflict';
import type { StreamWrite } from '../../../shared/ports/event-store';
import { idSequenceAggregate } from '../../../shared/eventsourcing/id-sequence-aggregate';
import type { SpecCommandDeps } from './apply-specs';

const ORGANIZATION_STREAM = 'organization-settings';

const userAggregate: AggregateType<UserState> = {
  initial: initialUserState,
  evolve: (state, event) => evolveUser(state, { type: event.type, data: event.data } as UserEvent),
};

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

function loginEvent(userId: number, token: string, sessionTtlHours: number, context: CommandContext): UserEvent {
  const expiresAt = new Date(context.now().getTime() + sessionTtlHours * 3_600_000).toISOString();
  return { type: 'UserLoggedIn', data: { user_id: userId, token_hash: tokenHash(token), expires_at: expiresAt } };
}

/** The writes that reserve the user's id and create the user's stream; the caller fills in the user's events. */
async function createUserWrites(deps: SpecCommandDeps, user: NewUser, passwordHash: string, context: CommandContext): Promise<{ id: number; writes: StreamWrite[]; userEvents: UserEvent[] }> {
  const sequence = await deps.loader.load(idSequenceStreamId('user'), idSequenceAggregate);
  const existing = await deps.loader.load(userStreamId(user.email), userAggregate);
  const [reserved] = decideReserveIds([user.email], sequence.state);
  const userEvents = decideCreateUser({ id: reserved.id, email: user.email, name: user.name, global_role: user.global_role, password_hash: passwordHash }, existing.state);
  return {
    id: reserved.id,
    userEvents,
    writes: [
      { streamId: idSequenceStreamId('user'), expected: sequence.expected, events: toNewEvents(context, [{ type: 'IdReserved', data: reserved }]) },
      { streamId: userStreamId(user.email), expected: existing.expected, events: [] },
    ],
  };
}

/** First-run setup: creates the first admin and logs them in, only while no user exists. */
export async function setUp(
  deps: SpecCommandDeps,
  input: { admin: NewUser; orgName: string; serverUrl: string },
  sessionTtlHours: number,
  context: CommandContext,
): Promise<SessionIssued> {
  const passwordHash = await hashPassword(input.admin.password);
  const token = newToken();
  return retryOnConflict(async () => {
    const { state } = await deps.loader.load(idSequenceStreamId('user'), idSequenceAggregate);
    if (state.lastId > 0) throw new DomainError('conflict', 'setup has already been completed');
    const { id, writes, userEvents } = await createUserWrites(deps, input.admin, passwordHash, context);
    const org: OrganizationSetUp = { org_name: input.orgName, server_url: input.serverUrl };
    writes[1].events = toNewEvents(context, [...userEvents, loginEvent(id, token, sessionTtlHours, context)]);
    writes.push({ streamId: ORGANIZATION_STREAM, expected: 'no_stream', events: toNewEvents(context, [{ type: ORGANIZATION_SET_UP, data: org }]) });
    const result = await deps.store.append(writes);
    return { userId: id, token, position: result.position };
  });
}

export async function createUser(deps: SpecCommandDeps, user: NewUser, context: CommandContext): Promise<{ id: number; position: number }> {
  const passwordHash = await hashPassword(user.password);
  return retryOnConflict(async () => {
    const { id, writes, userEvents } = await createUserWrites(deps, user, passwordHash, context);
    writes[1].events = toNewEvents(context, userEvents);
    const result = await deps.store.append(writes);
    return { id, position: result.position };
  });
}

/** A hash to compare against when the email is unknown, so both cases take as long. */
let decoyHash: Promise<string> | null = null;

/** Logs a user in; the login is recorded with the user as its actor. */
export async function logIn(deps: SpecCommandDeps, email: string, password: string, sessionTtlHours: number, context: CommandContext): Promise<SessionIssued> {
  const streamId = userStreamId(email);
  const { state } = await deps.loader.load(streamId, userAggregate);
  decoyHash ??= hashPassword('decoy password 1!');
  const passwordMatches = state.user !== null && (await verifyPassword(password, state.user.password_hash));
  if (state.user === null) await verifyPassword(password, await decoyHash);
  const token = newToken();
  const expiresAt = new Date(context.now().getTime() + sessionTtlHours * 3_600_000).toISOString();
  return retryOnConflict(async () => {
    const loaded = await deps.loader.load(streamId, userAggregate);
    const events = decideLogIn({ passwordMatches, token_hash: tokenHash(token), expires_at: expiresAt }, loaded.state);
    const user = loaded.state.user!;
    const asUser: CommandContext = { ...context, actor: { type: 'user', id: String(user.id), email: user.email, name: user.name } };
    const result = await deps.store.append([{ streamId, expected: loaded.expected, events: toNewEvents(asUser, events) }]);
    return { userId: loaded.state.user!.id, token, position: result.position };
  });
}

export async function logOut(deps: SpecCommandDeps, email: string, token: string, context: CommandContext): Promise<{ position: number | null }> {
  const streamId = userStreamId(email);
  return retryOnConflict(async () => {
    const { state, expected } = await deps.loader.load(streamId, userAggregate);
    const events = decideLogOut({ token_hash: tokenHash(token) }, state);
    if (events.length === 0) return { position: null };
    const result = await deps.store.append([{ streamId, expected, events: toNewEvents(context, events) }]);
    return { position: result.position };
  });
}
