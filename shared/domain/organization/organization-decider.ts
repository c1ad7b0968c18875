/** The organization's settings: set up once, by first-run setup (with the first admin). */
import { unexpectedEvent, type Decider } from '../decider';
import { DomainError } from '../errors';
import { ORGANIZATION_SET_UP, type OrganizationEvent, type OrganizationSetUp } from './organization-events';

export const ORGANIZATION_STREAM = 'organization-settings';

export interface OrganizationState {
  setUp: boolean;
}

export type SetUpOrganization = OrganizationSetUp;

/**
 * Fleet stops serving the setup route once set up, so a second setup is a 404; fleetctl setup
 * reads that 404 as "Fleet has already been setup".
 */
export const setupAlreadyCompleted = () => new DomainError('not_found', 'setup has already been completed');

export const organizationDecider: Decider<SetUpOrganization, OrganizationState, OrganizationEvent> = {
  initialState: { setUp: false },
  decide(command, state) {
    if (state.setUp) throw setupAlreadyCompleted();
    return [{ type: ORGANIZATION_SET_UP, data: { org_name: command.org_name, server_url: command.server_url } }];
  },
  evolve(state, event) {
    switch (event.type) {
      case ORGANIZATION_SET_UP:
        return { ...state, setUp: true };
      default:
        return unexpectedEvent(event.type);
    }
  },
};
