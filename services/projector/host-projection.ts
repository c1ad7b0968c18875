/**
 * Builds the hosts read model from host streams. Idempotent: each host document remembers the
 * revision of the last event of its stream applied, and older or equal revisions are skipped.
 * With each host document it moves the host's counters and search terms
 * (shared/read-models/host-read-model.ts) in the same unit of work, so counts and search always
 * describe the documents (see moveHostReadKeys).
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
import { displayName } from '../../shared/read-models/host-read-model';
import { HOST_STREAMS, HOSTS, type HostDoc, type HostStreamDoc } from '../../shared/read-models/read-model-types';
import type { UnitOfWork } from './unit-of-work';
import { moveHostReadKeys } from './host-read-keys';

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
    const doc: HostDoc = {
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
    };
    doc.display_name = displayName(doc);
    uow.put(HOSTS, String(data.id), doc);
    await moveHostReadKeys(uow, null, doc);
    return;
  }
  const stream = await uow.get<HostStreamDoc>(HOST_STREAMS, event.streamId);
  const doc = stream && (await uow.get<HostDoc>(HOSTS, String(stream.host_id)));
  if (!doc || event.revision <= doc.revision) return;
  const evolved = evolveHostDoc(doc, { type: event.type, data: event.data } as HostEvent, at);
  const next: HostDoc = { ...evolved, display_name: displayName(evolved), updated_at: at, revision: event.revision };
  uow.put(HOSTS, String(doc.id), next);
  await moveHostReadKeys(uow, doc, next);
}

/**
 * A deleted team's hosts move to no team (Fleet: hosts.team_id ON DELETE SET NULL), their
 * counters and search terms with them. Their revision is left alone: it counts their own
 * stream's events. Replayed, it finds no host on the team and moves nothing.
 */
export async function moveHostsToNoTeam(uow: UnitOfWork, teamId: number, at: string): Promise<void> {
  for (const [id, doc] of await uow.findWhere<HostDoc>(HOSTS, 'team_id', teamId)) {
    const next: HostDoc = { ...doc, team_id: null, updated_at: at };
    uow.put(HOSTS, id, next);
    await moveHostReadKeys(uow, doc, next);
  }
}
