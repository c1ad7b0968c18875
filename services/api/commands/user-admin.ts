/**
 * An admin's changes to other users: modify (name, global role), delete, and fleetctl's
 * `user_roles` spec. Each is one run of the command runner over the users' streams and, when an
 * admin stops being one, the admin guard's stream (shared/domain/users/admin-guard.ts), so the
 * organization never loses its last admin, not even to two admins demoting each other at once.
 */
import { ADMIN_GUARD_STREAM, adminGuardDecider, type AdminGuardState } from '../../../shared/domain/users/admin-guard';
import { notFound } from '../../../shared/domain/errors';
import type { GlobalRole } from '../../../shared/domain/users/roles';
import { userDecider, userStreamId, type UserCommand } from '../../../shared/domain/users/user-decider';
import { onStream, runCommandOnStreams, type CommandDeps, type StateSource, type StreamStep } from '../../../shared/eventsourcing/command-runner';
import type { CommandContext } from '../../../shared/eventsourcing/metadata';
import { USERS, type UserDoc } from '../../../shared/read-models/read-model-types';
import type { ReadModels } from '../../../shared/read-models/read-models';

export interface UserAdminDeps extends CommandDeps {
  readModels: ReadModels;
}

/** The most admins the guard reads the streams of (far more than any organization has). */
const MAX_ADMINS_CHECKED = 10_000;

/**
 * The guard's state, loaded afresh on every attempt: the admins are the read model's admins and
 * the users this run changes, each kept only if their own stream (the write side, never behind)
 * says admin. A user the read model does not show as admin yet is not counted: that can only
 * refuse a removal that was allowed, never allow one that was not.
 */
function adminGuardSource(deps: UserAdminDeps, emails: string[]): StateSource<AdminGuardState> {
  return {
    async load(streamId) {
      const { expected } = await deps.loader.load(streamId, adminGuardDecider);
      const listed = await deps.readModels.collection<UserDoc>(USERS).find({ where: { global_role: 'admin' }, limit: MAX_ADMINS_CHECKED });
      const candidates = [...new Set([...listed.map((user) => user.email), ...emails.map((email) => email.trim().toLowerCase())])];
      const states = await Promise.all(candidates.map((email) => deps.loader.load(userStreamId(email), userDecider)));
      const admins = states.flatMap(({ state }) => (state.user?.global_role === 'admin' ? [state.user.id] : []));
      return { state: { admins }, expected };
    },
  };
}

/** Runs one command per user (by email) and the admin guard for every user among them. */
async function runOnUsers(deps: UserAdminDeps, commands: Array<{ email: string; userId: number | null; command: UserCommand }>, context: CommandContext): Promise<number | null> {
  const steps: StreamStep[] = commands.map(({ email, command }) => onStream({ streamId: userStreamId(email), decider: userDecider, command }));
  const losing = commands.filter(({ command }) => command.kind === 'delete' || (command.kind === 'modify' && command.global_role !== undefined && command.global_role !== 'admin'));
  if (losing.length > 0) {
    const ids = await Promise.all(losing.map(async ({ email, userId }) => userId ?? (await deps.loader.load(userStreamId(email), userDecider)).state.user?.id ?? -1));
    steps.push(onStream({ streamId: ADMIN_GUARD_STREAM, decider: adminGuardDecider, command: { user_ids: ids }, source: adminGuardSource(deps, losing.map(({ email }) => email)) }));
  }
  const { position } = await runCommandOnStreams(deps, { streams: steps, context });
  return position;
}

export async function loadUserDoc(readModels: ReadModels, id: number): Promise<UserDoc> {
  const user = await readModels.collection<UserDoc>(USERS).get(String(id));
  if (!user) throw notFound(`user ${id}`);
  return user;
}

export interface UserChanges {
  name?: string;
  global_role?: GlobalRole;
}

/** PATCH /users/{id}: changes what differs; null position when nothing did. */
export async function modifyUser(deps: UserAdminDeps, id: number, changes: UserChanges, context: CommandContext): Promise<number | null> {
  const user = await loadUserDoc(deps.readModels, id);
  return runOnUsers(deps, [{ email: user.email, userId: id, command: { kind: 'modify', user_id: id, ...changes } }], context);
}

/** DELETE /users/{id}: the user and every session of theirs. */
export async function deleteUser(deps: UserAdminDeps, id: number, context: CommandContext): Promise<number | null> {
  const user = await loadUserDoc(deps.readModels, id);
  return runOnUsers(deps, [{ email: user.email, userId: id, command: { kind: 'delete', user_id: id } }], context);
}

/** POST /users/roles/spec: each email's global role, all or nothing (an unknown email is a 404). */
export async function applyUserRoles(deps: UserAdminDeps, roles: Map<string, GlobalRole>, context: CommandContext): Promise<number | null> {
  const commands = [...roles].map(([email, role]) => ({ email, userId: null, command: { kind: 'modify', user_id: null, global_role: role } satisfies UserCommand }));
  return runOnUsers(deps, commands, context);
}
