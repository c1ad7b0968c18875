import assert from 'node:assert/strict';
import { DEFAULT_AGENT_OPTIONS, DEFAULT_APP_CONFIG, mergeAppConfig } from '../../shared/domain/organization/app-config';
import { organizationDecider } from '../../shared/domain/organization/organization-decider';
import { APP_CONFIG_MODIFIED, ORGANIZATION_SET_UP, type OrganizationEvent } from '../../shared/domain/organization/organization-events';
import { parseAppConfigPatch } from '../../shared/schemas/app-config-schemas';
import { givenWhenThen } from '../support/given-when-then';

const { given } = givenWhenThen(organizationDecider);

const setUp: OrganizationEvent = { type: ORGANIZATION_SET_UP, data: { org_name: 'Acme', server_url: 'https://fleet.acme.test' } };
const modified = (patch: Record<string, unknown>, changed: string[]): OrganizationEvent => ({ type: APP_CONFIG_MODIFIED, data: { patch, changed } });
const modify = (patch: Record<string, unknown>) => ({ kind: 'modify' as const, patch });

describe('organizationDecider: setup and the app config', () => {
  it('sets up once; a second setup is a 404', () => {
    given([]).when({ org_name: 'Acme', server_url: 'https://fleet.acme.test' }).then([setUp]);
    given([setUp]).when({ org_name: 'Other', server_url: 'https://other.test' }).thenFails('not_found', /already been completed/);
  });

  it('records only the leaves a patch changes, with their new values', () => {
    given([setUp])
      .when(modify({ org_info: { org_name: 'Acme Corp', org_logo_url: '' }, server_settings: { server_url: 'https://fleet.acme.test', live_query_disabled: true } }))
      .then([modified({ org_info: { org_name: 'Acme Corp' }, server_settings: { live_query_disabled: true } }, ['org_info.org_name', 'server_settings.live_query_disabled'])]);
  });

  it('decides nothing for a patch that changes nothing (an empty one, the same values, nulls on sections and scalars)', () => {
    given([setUp]).when(modify({})).then([]);
    given([setUp]).when(modify({ org_info: { org_name: 'Acme' } })).then([]);
    given([setUp]).when(modify({ org_info: null, smtp_settings: { server: null } })).then([]);
  });

  it('merges sections field by field across patches', () => {
    const smtp = modified({ smtp_settings: { server: 'smtp.acme.test' } }, ['smtp_settings.server']);
    given([setUp, smtp])
      .when(modify({ smtp_settings: { port: 25 } }))
      .then([modified({ smtp_settings: { port: 25 } }, ['smtp_settings.port'])]);
  });

  it('replaces agent options whole (raw JSON, as Fleet stores them) and clears them with null', () => {
    const options = { config: { options: { distributed_interval: 30 } } };
    given([setUp]).when(modify({ agent_options: options })).then([modified({ agent_options: options }, ['agent_options'])]);
    given([setUp, modified({ agent_options: options }, ['agent_options'])])
      .when(modify({ agent_options: { config: { decorators: {} } } }))
      .then([modified({ agent_options: { config: { decorators: {} } } }, ['agent_options'])]);
    given([setUp]).when(modify({ agent_options: null })).then([modified({ agent_options: null }, ['agent_options'])]);
  });

  it('refuses, with nothing decided, a patch that leaves the config invalid (422 naming each field)', () => {
    const error = given([setUp]).when(modify({ host_expiry_settings: { host_expiry_enabled: true }, org_info: { org_name: ' ' } })).thenFails('validation', /organization name/);
    assert.deepEqual(error.problems.map((problem) => problem.name), ['org_name', 'host_expiry_window']);
    given([setUp]).when(modify({ host_expiry_settings: { host_expiry_enabled: true, host_expiry_window: 30 } })).then([
      modified({ host_expiry_settings: { host_expiry_enabled: true, host_expiry_window: 30 } }, ['host_expiry_settings.host_expiry_enabled', 'host_expiry_settings.host_expiry_window']),
    ]);
  });

  it('folds setup into the defaults, which carry Fleet\'s default agent options', () => {
    const state = organizationDecider.evolve(organizationDecider.initialState, setUp);
    assert.deepEqual(state.config, mergeAppConfig(DEFAULT_APP_CONFIG, { org_info: { org_name: 'Acme' }, server_settings: { server_url: 'https://fleet.acme.test' } }));
    assert.deepEqual(state.config.agent_options, DEFAULT_AGENT_OPTIONS);
    assert.equal(state.setUp, true);
  });
});

describe('parseAppConfigPatch (PATCH /config bodies)', () => {
  it('is a 400 naming the field for an unknown field or a wrong type, at any depth', () => {
    for (const [body, field] of [
      [{ org_info: { org_nmae: 'x' } }, 'org_info.org_nmae'],
      [{ no_such_section: {} }, 'no_such_section'],
      [{ server_settings: { live_query_disabled: 'yes' } }, 'server_settings.live_query_disabled'],
      [{ smtp_settings: { port: '25' } }, 'smtp_settings.port'],
      [{ agent_options: ['not', 'an', 'object'] }, 'agent_options'],
      [{ webhook_settings: { interval: 'daily' } }, 'webhook_settings.interval'],
    ] as const) {
      assert.throws(() => parseAppConfigPatch(body), (error: { kind: string; problems: Array<{ name: string }> }) => error.kind === 'bad_request' && error.problems[0]!.name === field, JSON.stringify(body));
    }
    assert.throws(() => parseAppConfigPatch([]), { kind: 'bad_request' });
    assert.throws(() => parseAppConfigPatch(undefined), { kind: 'bad_request' });
  });

  it('takes what fleetctl sends back from get config, and drops smtp_settings.configured (Fleet sets it)', () => {
    const patch = parseAppConfigPatch({ ...DEFAULT_APP_CONFIG, smtp_settings: { ...DEFAULT_APP_CONFIG.smtp_settings, configured: true } });
    assert.equal((patch.smtp_settings as Record<string, unknown>).configured, undefined);
    assert.equal((patch.smtp_settings as Record<string, unknown>).server, '');
  });
});
