/**
 * GET /teams' read side (services/api/team-listing.ts) over a real LMDB read store: host counts
 * by team, Fleet's list options, the redaction of each role, and that no request reads the hosts
 * collection document by document (it is only counted).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openLmdbReadStore } from '../../shared/adapters/read-store/lmdb-read-store';
import type { ReadStore } from '../../shared/ports/read-store';
import { HOSTS, specCollection, type SpecDoc } from '../../shared/read-models/read-model-types';
import { ReadModels } from '../../shared/read-models/read-models';
import { TeamListing, type TeamListOptions } from '../../services/api/team-listing';

const ALL: TeamListOptions = { page: 0, orderKey: 'id', descending: false };

function team(id: number, name: string, secret?: string): SpecDoc<'team'> {
  const spec = { name, agent_options: { config: { options: { distributed_interval: id } } }, secrets: secret ? [{ secret }] : [] };
  return { id, name, version: 1, builtin: false, spec, created_at: '2026-01-02T03:04:05.000Z', updated_at: '2026-01-02T03:04:05.000Z' };
}

describe('team listing (GET /teams, GET /teams/{id})', () => {
  let directory: string;
  let store: ReadStore;
  let listing: TeamListing;
  const hostReads: string[] = [];

  before(async () => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'logbook-team-listing-'));
    store = await openLmdbReadStore(directory);
    const readModels = new ReadModels(store);
    const teams = readModels.collection<SpecDoc<'team'>>(specCollection('team'));
    await teams.put('Zulu', team(1, 'Zulu', 'zulu-secret'));
    await teams.put('alpha', team(2, 'alpha'));
    await teams.put('Alphabet', team(3, 'Alphabet', 'alphabet-secret'));
    const hosts = readModels.collection<{ id: number; team_id: number | null }>(HOSTS);
    const placed: Array<number | null> = [1, 1, 3, null, 1];
    for (const [index, teamId] of placed.entries()) await hosts.put(String(index + 1), { id: index + 1, team_id: teamId });
    // Every read of the hosts collection other than a count is recorded.
    const spied = Object.create(readModels) as ReadModels;
    spied.collection = <T extends object>(name: string) => {
      const collection = readModels.collection<T>(name);
      if (name !== HOSTS) return collection;
      return { ...collection, count: collection.count.bind(collection), find: (...args: Parameters<typeof collection.find>) => (hostReads.push('find'), collection.find(...args)), get: (id: string) => (hostReads.push('get'), collection.get(id)) };
    };
    listing = new TeamListing(spied);
  });
  after(async () => {
    await store.close();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('counts each team\'s hosts, and never reads the hosts one by one', async () => {
    const teams = await listing.list(ALL, 'admin');
    assert.deepEqual(teams.map((t) => [t.id, t.name, t.host_count, t.user_count, t.description]), [[1, 'Zulu', 3, 0, ''], [2, 'alpha', 0, 0, ''], [3, 'Alphabet', 1, 0, '']]);
    assert.deepEqual(hostReads, []);
  });

  it('answers Fleet\'s Team for an admin: agent options, and secrets with their team id', async () => {
    const one = await listing.get(1, 'admin');
    assert.deepEqual(one, {
      id: 1, created_at: '2026-01-02T03:04:05.000Z', name: 'Zulu', description: '', agent_options: { config: { options: { distributed_interval: 1 } } },
      user_count: 0, host_count: 3, secrets: [{ secret: 'zulu-secret', team_id: 1 }],
    });
    assert.equal(await listing.get(99, 'admin'), null);
  });

  it('leaves out agent options for a maintainer, and secrets too for an observer', async () => {
    const maintainer = await listing.get(1, 'maintainer');
    assert.equal('agent_options' in maintainer!, false);
    assert.deepEqual(maintainer!.secrets, [{ secret: 'zulu-secret', team_id: 1 }]);
    for (const observed of await listing.list(ALL, 'observer')) {
      assert.deepEqual(Object.keys(observed).sort(), ['created_at', 'description', 'host_count', 'id', 'name', 'user_count']);
    }
  });

  it('takes Fleet\'s list options: query within the name in any case, order by name or id, pages', async () => {
    const names = async (options: Partial<TeamListOptions>) => (await listing.list({ ...ALL, ...options }, 'admin')).map((t) => t.name);
    assert.deepEqual(await names({ query: 'ALPHA' }), ['alpha', 'Alphabet']);
    assert.deepEqual(await names({ orderKey: 'name' }), ['alpha', 'Alphabet', 'Zulu']);
    assert.deepEqual(await names({ orderKey: 'id', descending: true }), ['Alphabet', 'alpha', 'Zulu']);
    assert.deepEqual(await names({ perPage: 2, page: 1 }), ['Alphabet']);
    assert.deepEqual(await names({ perPage: 2, page: 5 }), []);
  });
});
