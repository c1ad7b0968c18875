/** Every read model the projector builds, by the events each one follows. */
import { isCampaignEventType } from '../../shared/domain/campaigns/campaign-events';
import { isHostEventType } from '../../shared/domain/hosts/host-events';
import type { RecordedEvent } from '../../shared/ports/event-store';
import { projectCampaignEvent } from './campaign-projection';
import { projectHostEvent } from './host-projection';
import { projectSpecsAndUsers } from './spec-projection';
import type { UnitOfWork } from './unit-of-work';

export async function projectEvent(uow: UnitOfWork, event: RecordedEvent): Promise<void> {
  if (isHostEventType(event.type)) return projectHostEvent(uow, event);
  if (isCampaignEventType(event.type)) return projectCampaignEvent(uow, event);
  return projectSpecsAndUsers(uow, event);
}
