/**
 * The event types of each family, as the router (./projections) routes them. This is the one
 * place that knows where today's domain keeps them: hosts export their list; the other families
 * only export constants (some in shared/domain/events.ts, the shells' in their deciders), so their
 * lists are built here. When each family exports its own list from shared/domain/<family>/,
 * this file becomes a set of re-exports (or goes, with projections.ts importing them directly).
 */
import { CAMPAIGN_CREATED, CAMPAIGN_ENDED, CAMPAIGN_RESULTS_DELETED } from '../../shared/domain/campaigns/campaign-events';
import { ENROLL_SECRETS_REPLACED, ORGANIZATION_SET_UP, SPEC_APPLIED_TYPE, USER_CREATED, USER_LOGGED_IN, USER_LOGGED_OUT } from '../../shared/domain/events';
import { SHELL_CONTROL_ENABLED } from '../../shared/domain/shells/shell-control-decider';
import { SHELL_LAUNCHER_JOINED, SHELL_OPERATOR_JOINED, SHELL_SESSION_CLOSED, SHELL_SESSION_REQUESTED } from '../../shared/domain/shells/shell-session-decider';

export { HOST_EVENT_TYPES } from '../../shared/domain/hosts/host-events';

/** One SpecApplied type per spec kind. */
export const SPEC_EVENT_TYPES: readonly string[] = Object.values(SPEC_APPLIED_TYPE);

export const USER_EVENT_TYPES: readonly string[] = [USER_CREATED, USER_LOGGED_IN, USER_LOGGED_OUT];

export const SETTINGS_EVENT_TYPES: readonly string[] = [ENROLL_SECRETS_REPLACED, ORGANIZATION_SET_UP];

export const CAMPAIGN_EVENT_TYPES: readonly string[] = [CAMPAIGN_CREATED, CAMPAIGN_ENDED, CAMPAIGN_RESULTS_DELETED];

export const SHELL_EVENT_TYPES: readonly string[] = [SHELL_CONTROL_ENABLED, SHELL_SESSION_REQUESTED, SHELL_LAUNCHER_JOINED, SHELL_OPERATOR_JOINED, SHELL_SESSION_CLOSED];
