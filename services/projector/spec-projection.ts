/**
 * Builds the spec, history, activity, user and session read models from the log. Every handler
 * is idempotent: an event applied twice (after a crash between writing models and saving the
 * checkpoint) leaves the models as applying it once did.
 */
import {
  ENROLL_SECRETS_REPLACED,
  ORGANIZATION_SET_UP,
  specKindOfEventType,
  USER_CREATED,
  USER_LOGGED_IN,
  USER_LOGGED_OUT,
  type EnrollSecretsReplaced,
  type OrganizationSetUp,
  type SpecApplied,
  type UserCreated,
  type UserLoggedIn,
  type UserLoggedOut,
} from '../../shared/domain/events';
import { SPEC_KIND_PLURAL } from '../../shared/domain/specs/spec-types';
import type { RecordedEvent } from '../../shared/ports/event-store';
import {
  GLOBAL_ENROLL_SECRETS_KEY,
  HISTORY,
  historyKey,
  SESSIONS,
  SETTINGS,
  specCollection,
  USERS,
  type SessionDoc,
  type SpecDoc,
  type SpecVersionDoc,
  type UserDoc,
} from '../../shared/read-models/read-model-types';
import { actorUserId, recordActivity } from './activity-projection';
import { projectShellEvent } from './shell-projection';
import type { UnitOfWork } from './unit-of-work';

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
