/**
 * The organization's settings stream: set up once, by first-run setup (with the first admin),
 * then its application config modified by admins (PATCH /config).
 *
 * Invariants: the state's config is DEFAULT_APP_CONFIG with setup's org name and server URL and
 * every AppConfigModified patch merged in, in order (app-config.ts), exactly as the projection and
 * the agent view fold the same events; a modification that changes nothing decides no event; a
 * modification that would leave the config invalid decides none either (all or nothing).
 */
import { unexpectedEvent, type Decider } from '../decider';
import { DomainError, type FieldProblem } from '../errors';
import { appConfigChanges, DEFAULT_APP_CONFIG, mergeAppConfig, type AppConfig } from './app-config';
import { APP_CONFIG_MODIFIED, ORGANIZATION_SET_UP, type OrganizationEvent, type OrganizationSetUp } from './organization-events';

export const ORGANIZATION_STREAM = 'organization-settings';

export interface OrganizationState {
  setUp: boolean;
  config: AppConfig;
}

export type SetUpOrganization = OrganizationSetUp & { kind?: 'set_up' };
/** A validated PATCH /config body (shared/schemas/app-config-schemas.ts): known fields only. */
export interface ModifyAppConfig {
  kind: 'modify';
  patch: Record<string, unknown>;
}
export type OrganizationCommand = SetUpOrganization | ModifyAppConfig;

/**
 * Fleet stops serving the setup route once set up, so a second setup is a 404; fleetctl setup
 * reads that 404 as "Fleet has already been setup".
 */
export const setupAlreadyCompleted = () => new DomainError('not_found', 'setup has already been completed');

/** What Fleet's ModifyAppConfig refuses in the merged config (422, every problem named). */
function problemsOf(config: AppConfig): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (config.org_info.org_name.trim() === '') problems.push({ name: 'org_name', reason: 'organization name must be present' });
  if (config.server_settings.server_url.trim() === '') problems.push({ name: 'server_url', reason: 'Fleet server URL must be present' });
  const expiry = config.host_expiry_settings;
  if (expiry.host_expiry_enabled && expiry.host_expiry_window <= 0) {
    problems.push({ name: 'host_expiry_window', reason: 'host expiry window must be a positive number of days when host expiry is enabled' });
  }
  return problems;
}

function decideModify(command: ModifyAppConfig, state: OrganizationState): OrganizationEvent[] {
  const next = mergeAppConfig(state.config, command.patch);
  const problems = problemsOf(next);
  if (problems.length > 0) throw new DomainError('validation', problems.map((problem) => problem.reason).join('; '), problems);
  const { changed, patch } = appConfigChanges(state.config, next);
  return changed.length === 0 ? [] : [{ type: APP_CONFIG_MODIFIED, data: { patch, changed } }];
}

export const organizationDecider: Decider<OrganizationCommand, OrganizationState, OrganizationEvent> = {
  initialState: { setUp: false, config: DEFAULT_APP_CONFIG },
  decide(command, state) {
    if (command.kind === 'modify') return decideModify(command, state);
    if (state.setUp) throw setupAlreadyCompleted();
    return [{ type: ORGANIZATION_SET_UP, data: { org_name: command.org_name, server_url: command.server_url } }];
  },
  evolve(state, event) {
    return { setUp: state.setUp || event.type === ORGANIZATION_SET_UP, config: evolveAppConfig(state.config, event) };
  },
};

/** The config after one event of the stream: the one fold the decider, projection and agent view share. */
export function evolveAppConfig(config: AppConfig, event: OrganizationEvent): AppConfig {
  switch (event.type) {
    case ORGANIZATION_SET_UP:
      return mergeAppConfig(config, { org_info: { org_name: event.data.org_name }, server_settings: { server_url: event.data.server_url } });
    case APP_CONFIG_MODIFIED:
      return mergeAppConfig(config, event.data.patch);
    default:
      return unexpectedEvent(event);
  }
}
