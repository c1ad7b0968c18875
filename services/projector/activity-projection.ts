/**
 * The activity feed (`activities`), written by the other families' projections: this module is
 * the only writer of the collection, so its two key schemes live here:
 * - `<correlation id>:<type>`: one activity per request and type (recordActivity);
 * - `shell:<session id>:<type>`: a remote shell's opened/closed activities (recordShellActivity).
 * Both are idempotent: an activity is keyed by what caused it, and re-recording it writes the same
 * document (or, for a list entry already there, nothing).
 */
import type { RecordedEvent } from '../../shared/ports/event-store';
import { ACTIVITIES, type ActivityDoc, type ShellSessionDoc } from '../../shared/read-models/read-model-types';
import type { UnitOfWork } from './unit-of-work';

/** The actor's user id, or null when the actor is not a user (or its id is not a user id). */
export function actorUserId(event: RecordedEvent): number | null {
  const { actor } = event.metadata;
  return actor.type === 'user' && /^\d+$/.test(actor.id) ? Number(actor.id) : null;
}

/**
 * One activity per request and type: a request applying ten queries is one `applied_spec_query`
 * activity listing all ten. Its id comes from the position of the request's first event.
 * `each` makes it one activity per request, type and `each` instead (Fleet records one
 * `deleted_policy` per policy a request deletes). Nothing is recorded for what Logbook did
 * itself (a system actor).
 */
export async function recordActivity(
  uow: UnitOfWork,
  event: RecordedEvent,
  type: string,
  details: Record<string, unknown> = {},
  listEntry?: { key: string; item: { id: number; name: string } },
  each?: string,
): Promise<void> {
  const { actor, occurredAt, correlationId } = event.metadata;
  if (actor.type === 'system') return;
  const key = each === undefined ? `${correlationId}:${type}` : `${correlationId}:${type}:${each}`;
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

/**
 * A remote shell session's activity of this type, credited to the operator who asked for the
 * shell, whoever (operator, launcher or Logbook) caused the event.
 */
export function recordShellActivity(uow: UnitOfWork, event: RecordedEvent, session: ShellSessionDoc, type: string, details: Record<string, unknown>): void {
  uow.put(ACTIVITIES, `shell:${session.session_id}:${type}`, {
    id: event.position + 1,
    created_at: event.metadata.occurredAt,
    actor_full_name: event.metadata.actor.type === 'user' ? (event.metadata.actor.name ?? null) : null,
    actor_id: session.operator.id,
    actor_email: session.operator.email,
    type,
    details: { session_id: session.session_id, host_id: session.host_id, host_display_name: session.hostname, ...details },
  } satisfies ActivityDoc);
}
