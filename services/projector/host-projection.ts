/**
 * Builds the hosts read model from host streams. Idempotent: each host document remembers the
 * revision of the last event of its stream applied, and older or equal revisions are skipped.
 */
import {
  HOST_ENROLLED,
  HOST_FACTS_CHANGED,
  HOST_LABELS_CHANGED,
  HOST_POLICY_RESULTS_CHANGED,
  HOST_REENROLLED,
  type HostEnrolled,
  type HostEvent,
} from '../../shared/domain/hosts/host-events';
import type { RecordedEvent } from '../../shared/ports/event-store';
import { HOST_STREAMS, HOSTS, type HostDoc, type HostStreamDoc } from '../../shared/read-models/read-model-types';
import type { UnitOfWork } from './unit-of-work';

function evolveHostDoc(doc: HostDoc, event: HostEvent, at: string): HostDoc {
  switch (event.type) {
    case HOST_ENROLLED:
      return doc;
    case HOST_REENROLLED:
      return { ...doc, team_id: event.data.team_id, last_enrolled_at: at };
    case HOST_FACTS_CHANGED:
      return { ...doc, ...event.data.facts };
    case HOST_LABELS_CHANGED: {
      const labels = new Set(doc.label_ids);
      for (const id of event.data.added) labels.add(id);
      for (const id of event.data.removed) labels.delete(id);
      return { ...doc, label_ids: [...labels].sort((a, b) => a - b) };
    }
    case HOST_POLICY_RESULTS_CHANGED:
      return { ...doc, policy_results: { ...doc.policy_results, ...event.data.results } };
  }
}

export async function projectHostEvent(uow: UnitOfWork, event: RecordedEvent): Promise<void> {
  const at = event.metadata.occurredAt;
  if (event.type === HOST_ENROLLED) {
    const data = event.data as HostEnrolled;
    if ((await uow.get<HostDoc>(HOSTS, String(data.id))) !== null) return;
    uow.put(HOST_STREAMS, event.streamId, { host_id: data.id } satisfies HostStreamDoc);
    uow.put(HOSTS, String(data.id), {
      ...data.facts,
      id: data.id,
      host_identifier: data.host_identifier,
      team_id: data.team_id,
      created_at: at,
      updated_at: at,
      last_enrolled_at: at,
      label_ids: [],
      policy_results: {},
      revision: event.revision,
    } satisfies HostDoc);
    return;
  }
  const stream = await uow.get<HostStreamDoc>(HOST_STREAMS, event.streamId);
  const doc = stream && (await uow.get<HostDoc>(HOSTS, String(stream.host_id)));
  if (!doc || event.revision <= doc.revision) return;
  const next = evolveHostDoc(doc, { type: event.type, data: event.data } as HostEvent, at);
  uow.put(HOSTS, String(doc.id), { ...next, updated_at: at, revision: event.revision });
}
