/**
 * Enrolls simulated hosts over the osquery API as the check-in and restart benchmarks need them:
 * each enrolls, then answers what its first distributed/read asks (with no rows), so nothing is
 * pending after. Hosts are `bench-<i>` / `uuid-<i>`, platforms in turn darwin, ubuntu, centos, windows.
 */
import { runConcurrently } from './bench-stats';
import type { KeepAliveClient } from './keep-alive-client';

export async function enrollHosts(client: KeepAliveClient, options: { hosts: number; secret: string; first?: number; concurrency?: number }): Promise<string[]> {
  const first = options.first ?? 0;
  const keys: string[] = new Array(options.hosts);
  let done = 0;
  await runConcurrently(options.hosts, options.concurrency ?? 32, async (offset) => {
    const index = first + offset;
    const hostname = `bench-${index}`;
    const enrolled = await client.send('POST', '/api/v1/osquery/enroll', {
      enroll_secret: options.secret,
      host_identifier: `uuid-${index}`,
      host_details: { system_info: { hostname, uuid: `uuid-${index}` }, os_version: { platform: ['darwin', 'ubuntu', 'centos', 'windows'][index % 4], name: 'OS', version: '1' }, osquery_info: { version: '5.12.1' } },
    });
    if (enrolled.status !== 200) throw new Error(`enroll failed: ${enrolled.status} ${JSON.stringify(enrolled.body)}`);
    const nodeKey = enrolled.body.node_key as string;
    const read = await client.send('POST', '/api/v1/osquery/distributed/read', { node_key: nodeKey });
    const names = Object.keys(read.body.queries);
    const written = await client.send('POST', '/api/v1/osquery/distributed/write', {
      node_key: nodeKey,
      queries: Object.fromEntries(names.map((name) => [name, []])),
      statuses: Object.fromEntries(names.map((name) => [name, 0])),
      messages: {},
    });
    if (written.status !== 200) throw new Error(`write failed: ${written.status}`);
    keys[offset] = nodeKey;
    if (++done % 10_000 === 0) process.stderr.write(`enrolled ${done}\n`);
  });
  return keys;
}
