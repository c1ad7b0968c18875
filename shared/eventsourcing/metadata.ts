import { randomUUID } from 'node:crypto';
import type { Actor, EventMetadata, NewEvent } from '../ports/event-store';

/** Who asked, and which request: stamped on every event one request causes. */
export interface CommandContext {
  actor: Actor;
  correlationId: string;
  /** Clock for this command (tests pin it). */
  now: () => Date;
}

export function commandContext(actor: Actor, correlationId: string = randomUUID(), now: () => Date = () => new Date()): CommandContext {
  return { actor, correlationId, now };
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: 'logbook', name: 'Logbook' };

export function toNewEvents(context: CommandContext, events: Array<{ type: string; data: unknown }>): NewEvent[] {
  const metadata: EventMetadata = {
    actor: context.actor,
    occurredAt: context.now().toISOString(),
    correlationId: context.correlationId,
    causationId: context.correlationId,
  };
  return events.map((event) => ({ type: event.type, data: event.data, metadata }));
}
