/** What of a team each role reads: secrets with canReadEnrollSecrets, agent options with canReadAgentOptions. */
import assert from 'node:assert/strict';
import { diffSpecs } from '../../shared/domain/specs/spec-diff';
import { redactHistory, redactSpec } from '../../services/api/redaction';
import type { SpecVersionDoc } from '../../shared/read-models/read-model-types';

const team = { id: 1, name: 'Servers', agent_options: { config: { options: { logger_plugin: 'tls' } } }, secrets: [{ secret: 'team-secret' }] };

function version(before: object | null, after: object, number: number): SpecVersionDoc {
  return { version: number, applied_at: '2024-01-01T00:00:00.000Z', applied_by: { id: 1, email: 'a@example.com' }, spec: after, changes: diffSpecs(before, after) };
}

describe('redaction of what a role may not read', () => {
  it('shows admins the whole team', () => {
    assert.deepEqual(redactSpec('team', team, 'admin'), team);
  });

  it('leaves agent options out for maintainers, and secrets and agent options for observers', () => {
    assert.deepEqual(redactSpec('team', team, 'maintainer'), { id: 1, name: 'Servers', secrets: [{ secret: 'team-secret' }] });
    assert.deepEqual(redactSpec('team', team, 'observer'), { id: 1, name: 'Servers' });
  });

  it('leaves other kinds alone, whatever their fields are called', () => {
    const query = { name: 'secrets', query: 'SELECT 1', secrets: 'not a team field' };
    assert.equal(redactSpec('query', query, 'observer'), query);
  });

  it('takes the same fields out of every version of a team and of its changes, nested paths included', () => {
    const v1 = { name: 'Servers', agent_options: { config: { a: 1 } }, secrets: [{ secret: 'one' }] };
    const v2 = { name: 'Servers', agent_options: { config: { a: 2 } }, secrets: [{ secret: 'two' }] };
    const history = [version(null, v1, 1), version(v1, v2, 2)];
    assert.ok(history[1]!.changes.some((change) => change.field === 'agent_options.config.a'), 'the diff has a nested agent options path');
    const seen = redactHistory('team', history, 'observer');
    assert.deepEqual(seen.map((entry) => entry.spec), [{ name: 'Servers' }, { name: 'Servers' }]);
    assert.deepEqual(seen.map((entry) => entry.changes), [[{ field: 'name', to: 'Servers' }], []]);
    assert.doesNotMatch(JSON.stringify(seen), /one|two|config/);
    assert.deepEqual(redactHistory('team', history, 'admin'), history);
  });
});
