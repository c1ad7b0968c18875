/**
 * The simulated hosts of the live-latency benchmark, in their own process (so their CPU work
 * shares neither Logbook's nor the watcher's event loop). Records, for every distributed/write
 * that answers a live query, the wall-clock time just before its body was sent.
 *
 *   node latency-hosts-process.js <logbook url> <enroll secret> <hosts>
 *
 * Messages to the parent: {ready: true} once every host enrolled; on {report: campaignId} the
 * answer {writes: [[hostname, sentAtEpochMs], ...], stats}.
 */
import { startHostSimulator } from '../../services/host-simulator';

const LIVE_QUERY_PREFIX = 'fleet_distributed_query_';
const [url, enrollSecret, hosts] = process.argv.slice(2);

/** Campaign id → hostname → when its answer was sent (first answer only). */
const writes = new Map<number, Map<string, number>>();

async function main(): Promise<void> {
  const simulator = await startHostSimulator({
    url,
    enrollSecret,
    hosts: Number(hosts),
    seed: 'live-latency-bench',
    enrollRatePerSec: 1_000,
    statusLogs: false,
    hooks: {
      onDistributedWrite(event) {
        for (const name of event.queryNames) {
          if (!name.startsWith(LIVE_QUERY_PREFIX)) continue;
          const campaignId = Number(name.slice(LIVE_QUERY_PREFIX.length));
          let forCampaign = writes.get(campaignId);
          if (!forCampaign) writes.set(campaignId, (forCampaign = new Map()));
          if (!forCampaign.has(event.host.hostname)) forCampaign.set(event.host.hostname, event.sentAtEpochMs);
        }
      },
    },
  });
  await simulator.ready;
  process.send!({ ready: true });
  process.on('message', (message: { report?: number; stop?: boolean }) => {
    if (message.report !== undefined) {
      process.send!({ writes: [...(writes.get(message.report) ?? new Map<string, number>())], stats: simulator.stats() });
    } else if (message.stop) {
      void simulator.stop().finally(() => process.exit(0));
    }
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
