/**
 * Builds the spec, history, activity, user and session read models from the log. Every handler
 * is idempotent: an event applied twice (after a crash between writing models and saving the
 * checkpoint) leaves the models as applying it once did.
 */
import { ENROLL_SECRETS_REPLACED, type EnrollSecretsReplaced } from '../../shared/domain/enroll-secrets/enroll-secrets-events';
import { ORGANIZATION_SET_UP, type OrganizationSetUp } from '../../shared/domain/organization/organization-events';
import { specKindOfEventType, type SpecApplied } from '../../shared/domain/specs/spec-events';
import { USER_CREATED, USER_LOGGED_IN, USER_LOGGED_OUT, type UserCreated, type UserLoggedIn, type UserLoggedOut } from '../../shared/domain/users/user-events';
import { SPEC_KIND_PLURAL } from '../../shared/domain/specs/spec-types';
import type { RecordedEvent } from '../../shared/ports/event-store';
import {
  ACTIVITIES,
  GLOBAL_ENROLL_SECRETS_KEY,
  HISTORY,
  historyKey,
  SESSIONS,
  SETTINGS,
  specCollection,
  USERS,
  type ActivityDoc,
  type SessionDoc,
  type SpecDoc,
  type SpecVersionDoc,
  type UserDoc,
} from '../../shared/read-models/read-model-types';
import { projectShellEvent } from './shell-projection';
import type { UnitOfWork } from './unit-of-work';

function actorUserId(event: RecordedEvent): number | null {
  const { actor } = event.metadata;
  return actor.type === 'user' && /^\d+$/.test(actor.id) ? Number(actor.id) : null;
}

/**
 * One activity per request and type: a request applying ten queries is one `applied_spec_query`
 * activity listing all ten. Its id comes from the position of the request's first event.
 */
export async function recordActivity(uow: UnitOfWork, event: RecordedEvent, type: string, details: Record<string, unknown> = {}, listEntry?: { key: string; item: { id: number; name: string } }): Promise<void> {
  const { actor, occurredAt, correlationId } = event.metadata;
  if (actor.type === 'system') return;
  const key = `${correlationId}:${type}`;
  const existing = await uow.get<ActivityDoc>(ACTIVITIES, key);
  const activity: ActivityDoc = existing ?? {
    id: event.position + 1,
    created_at: occurredAt,
    actor_full_name: actor.name ?? null,
    actor_id: actorUserId(event),
    actor_email: actor.email ?? null,
    type,
    details,
  };
  if (listEntry) {
    const list = (activity.details[listEntry.key] as Array<{ name: string }> | undefined) ?? [];
    if (list.some((item) => item.name === listEntry.item.name)) return;
    activity.details = { ...activity.details, [listEntry.key]: [...list, listEntry.item] };
  }
  uow.put(ACTIVITIES, key, activity);
}

async function projectSpecApplied(uow: UnitOfWork, event: RecordedEvent<SpecApplied>): Promise<void> {
  const { kind, id, version, spec, changes, builtin } = event.data;
  const name = spec.name;
  const existing = await uow.get<SpecDoc>(specCollection(kind), name);
  if (existing !== null && existing.version >= version) return;
  const appliedAt = event.metadata.occurredAt;
  uow.put(specCollection(kind), name, {
    id,
    name,
    version,
    builtin,
    spec,
    created_at: existing?.created_at ?? appliedAt,
    updated_at: appliedAt,
  } satisfies SpecDoc);
  uow.put(HISTORY, historyKey(kind, name, version), {
    version,
    applied_at: appliedAt,
    applied_by: { id: actorUserId(event), email: event.metadata.actor.email ?? null },
    spec,
    changes,
  } satisfies SpecVersionDoc);
  await recordActivity(uow, event, `applied_spec_${kind}`, {}, { key: SPEC_KIND_PLURAL[kind], item: { id, name } });
}

export async function projectSpecsAndUsers(uow: UnitOfWork, event: RecordedEvent): Promise<void> {
  if (specKindOfEventType(event.type) !== undefined) {
    await projectSpecApplied(uow, event as RecordedEvent<SpecApplied>);
    return;
  }
  const at = event.metadata.occurredAt;
  switch (event.type) {
    case ENROLL_SECRETS_REPLACED: {
      const data = event.data as EnrollSecretsReplaced;
      uow.put(SETTINGS, GLOBAL_ENROLL_SECRETS_KEY, { secrets: data.secrets });
      await recordActivity(uow, event, 'changed_enroll_secrets', { added: data.added, removed: data.removed });
      return;
    }
    case ORGANIZATION_SET_UP: {
      const data = event.data as OrganizationSetUp;
      uow.put(SETTINGS, 'organization', { org_name: data.org_name, server_url: data.server_url });
      return;
    }
    case USER_CREATED: {
      const data = event.data as UserCreated;
      const existing = await uow.get<UserDoc>(USERS, String(data.id));
      uow.put(USERS, String(data.id), {
        id: data.id,
        name: data.name,
        email: data.email,
        global_role: data.global_role,
        created_at: existing?.created_at ?? at,
        updated_at: at,
      } satisfies UserDoc);
      if (actorUserId(event) !== data.id) {
        await recordActivity(uow, event, 'created_user', { user_id: data.id, user_name: data.name, user_email: data.email });
      }
      return;
    }
    case USER_LOGGED_IN: {
      const data = event.data as UserLoggedIn;
      uow.put(SESSIONS, data.token_hash, { user_id: data.user_id, expires_at: data.expires_at } satisfies SessionDoc);
      await recordActivity(uow, event, 'user_logged_in');
      return;
    }
    case USER_LOGGED_OUT: {
      const data = event.data as UserLoggedOut;
      uow.delete(SESSIONS, data.token_hash);
      return;
    }
    default:
      await projectShellEvent(uow, event);
      return;
  }
}
