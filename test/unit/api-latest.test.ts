import assert from 'node:assert/strict';
import { latestAsV1 } from '../../shared/http/api-latest';

describe('latestAsV1 (the /api/latest rewrite)', () => {
  it('rewrites the /api/latest segment to /api/v1 and keeps the rest of the path and the query', () => {
    assert.equal(latestAsV1('/api/latest/fleet/hosts?page=2&per_page=5'), '/api/v1/fleet/hosts?page=2&per_page=5');
    assert.equal(latestAsV1('/api/latest/osquery/distributed/read'), '/api/v1/osquery/distributed/read');
    assert.equal(latestAsV1('/api/latest'), '/api/v1');
    assert.equal(latestAsV1('/api/latest?x=1'), '/api/v1?x=1');
  });

  it('leaves every other path alone: /api/v1, a longer segment, a path that only contains it', () => {
    for (const url of ['/api/v1/fleet/me', '/api/latestx/fleet/me', '/console/api/latest/fleet', '/healthz', '/']) assert.equal(latestAsV1(url), url);
  });
});
