/**
 * Issue 11: concurrent applies from several clients while Logbook is kill -9'd and restarted;
 * everything acknowledged survives, and concurrent applies of one spec lose no update.
 */
import assert from 'node:assert/strict';
import { createUser, FleetClient, setUpAdmin } from '../support/fleet-client';
import { startLogbook, type LogbookProcess } from '../support/logbook-process';
import { concurrentApplies, newAcknowledged, storm, verifyStorms } from './apply-storm';

const STORMS = 3;
const CLIENTS = 4;
const PER_CLIENT = 100;

describe('reliability: kill -9 during apply storms (black box)', function () {
  this.timeout(300_000);
  let logbook: LogbookProcess;
  let tokens: string[];

  before(async () => {
    logbook = await startLogbook();
    const admin = await setUpAdmin(logbook.url);
    const others = [await createUser(admin, 'admin'), await createUser(admin, 'maintainer'), await createUser(admin, 'maintainer')];
    tokens = [admin.token!, ...others.map((client) => client.token!)].slice(0, CLIENTS);
  });
  after(() => logbook.stop());

  it(`keeps every acknowledged apply across ${STORMS} storms of ${CLIENTS * PER_CLIENT} applies, each cut by kill -9`, async () => {
    const ack = newAcknowledged();
    for (let round = 0; round < STORMS; round++) {
      // Killed part way: after 60 % to 90 % of the storm was acknowledged, requests in flight.
      const killAfter = Math.floor(CLIENTS * PER_CLIENT * (0.6 + 0.15 * round));
      logbook = await storm(logbook, tokens, { round, perClient: PER_CLIENT, concurrency: 4, killAfter }, ack);
    }
    const { lost, versions } = await verifyStorms(new FleetClient(logbook.url, tokens[0]), ack);
    console.log(`      acknowledged ${ack.distinct.size} distinct + ${ack.contended.size} contended applies, ${ack.unanswered} cut off; contended spec at ${versions} versions; lost ${lost.length}`);
    assert.ok(ack.distinct.size + ack.contended.size >= STORMS * CLIENTS * PER_CLIENT * 0.5, 'the storms applied something');
    assert.deepEqual(lost, [], 'acknowledged applies lost');
  });

  it('turns 300 concurrent applies of one spec into 300 versions', async () => {
    const clients = tokens.map((token) => new FleetClient(logbook.url, token));
    await concurrentApplies(clients, 'storm-burst', 300);
  });
});
