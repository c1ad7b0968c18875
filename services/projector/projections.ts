/**
 * The projector's router: every event type the log holds, by family, to the one module that
 * projects it. To find what an event builds, find its family below and open that module.
 *
 * Invariants:
 * - each event type belongs to at most one family (checked when this module loads);
 * - every projection is idempotent (the projector replays a batch after a crash between writing
 *   the models and saving the checkpoint);
 * - activities are not a family of their own: each family records its activities through
 *   ./activity-projection, the only writer of the `activities` collection.
 */
import { CAMPAIGN_EVENT_TYPES } from '../../shared/domain/campaigns/campaign-events';
import { ENROLL_SECRETS_EVENT_TYPES } from '../../shared/domain/enroll-secrets/enroll-secrets-events';
import { HOST_EVENT_TYPES } from '../../shared/domain/hosts/host-events';
import { ORGANIZATION_EVENT_TYPES } from '../../shared/domain/organization/organization-events';
import { ID_SEQUENCE_EVENT_TYPES } from '../../shared/domain/sequences/id-sequence-events';
import { SHELL_EVENT_TYPES } from '../../shared/domain/shells/shell-events';
import { SPEC_EVENT_TYPES } from '../../shared/domain/specs/spec-events';
import { USER_EVENT_TYPES } from '../../shared/domain/users/user-events';
import type { RecordedEvent } from '../../shared/ports/event-store';
import { projectCampaignEvent } from './campaign-projection';
import { projectHostEvent } from './host-projection';
import { projectSettingsEvent } from './settings-projection';
import { projectShellEvent } from './shell-projection';
import { projectSpecEvent } from './spec-projection';
import type { UnitOfWork } from './unit-of-work';
import { projectUserEvent } from './user-projection';

type ProjectFn = (uow: UnitOfWork, event: RecordedEvent) => Promise<void>;

interface FamilyProjection {
  family: string;
  eventTypes: readonly string[];
  project: ProjectFn;
}

/**
 * Id reservations are recorded but deliberately not projected: they only make ids unique on the
 * write side, and the documents that use an id carry it themselves.
 */
const notProjected: ProjectFn = async () => {};

const PROJECTIONS: readonly FamilyProjection[] = [
  // <Kind>SpecApplied, <Kind>SpecDeleted → specs_<kind>, spec_history, spec_deletions,
  // applied_spec_<kind> / deleted_saved_query / deleted_pack / deleted_label.
  { family: 'specs', eventTypes: SPEC_EVENT_TYPES, project: projectSpecEvent },
  // UserCreated, UserLoggedIn, UserLoggedOut, UserLoginLockedOut, UserRenamed,
  // UserGlobalRoleChanged, UserDeleted → users, sessions, created_user / user_logged_in /
  // user_locked_out / changed_user_global_role / deleted_user (GlobalAdminsRemoved: nothing).
  { family: 'users and sessions', eventTypes: USER_EVENT_TYPES, project: projectUserEvent },
  // EnrollSecretsReplaced, OrganizationSetUp → settings, changed_enroll_secrets. Settings, not
  // users: they are what the `settings` collection holds (see ./settings-projection).
  { family: 'settings', eventTypes: [...ENROLL_SECRETS_EVENT_TYPES, ...ORGANIZATION_EVENT_TYPES], project: projectSettingsEvent },
  // Host stream events → hosts, host_streams.
  { family: 'hosts', eventTypes: HOST_EVENT_TYPES, project: projectHostEvent },
  // CampaignCreated, CampaignEnded, CampaignResultsDeleted → campaigns, live_query / stopped_live_query.
  { family: 'campaigns', eventTypes: CAMPAIGN_EVENT_TYPES, project: projectCampaignEvent },
  // ShellControlEnabled and the shell-session events → shell_hosts, shell_sessions, *_remote_shell.
  { family: 'shells', eventTypes: SHELL_EVENT_TYPES, project: projectShellEvent },
  { family: 'id reservations', eventTypes: ID_SEQUENCE_EVENT_TYPES, project: notProjected },
];

const PROJECTION_BY_TYPE: ReadonlyMap<string, FamilyProjection> = (() => {
  const byType = new Map<string, FamilyProjection>();
  for (const projection of PROJECTIONS) {
    for (const type of projection.eventTypes) {
      const other = byType.get(type);
      if (other) throw new Error(`event type ${type} is claimed by both ${other.family} and ${projection.family}`);
      byType.set(type, projection);
    }
  }
  return byType;
})();

export async function projectEvent(uow: UnitOfWork, event: RecordedEvent): Promise<void> {
  const projection = PROJECTION_BY_TYPE.get(event.type);
  // A type this version does not know is skipped, not failed on: the log can hold types a newer
  // version wrote (during a rolling upgrade, or after a downgrade), and the models this version
  // knows must stay current.
  if (projection === undefined) return;
  await projection.project(uow, event);
}
