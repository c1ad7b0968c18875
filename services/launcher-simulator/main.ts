/**
 * Runs a simulated launcher against a Logbook:
 *   npm run launcher-simulator -- --url http://127.0.0.1:8080 --enroll-secret SECRET [--hostname web-1]
 *     [--host-identifier ID] [--poll-ms 2000] [--shell /bin/bash] [--auth header|frame]
 * The enroll secret may also come from LOGBOOK_ENROLL_SECRET.
 */
import { readFileSync } from 'node:fs';
import { parseCliOptions } from '../../shared/cli/parse-cli-options';
import { startLauncherSimulator } from './launcher-simulator';

const USAGE = 'usage: launcher-simulator --url URL --enroll-secret SECRET [--hostname NAME] [--host-identifier ID] [--poll-ms MS] [--shell PATH] [--auth header|frame] [--ca PEM_FILE | --insecure]';

async function main(): Promise<void> {
  const { values } = parseCliOptions({
    url: { type: 'string', default: 'http://127.0.0.1:8080' },
    'enroll-secret': { type: 'string' },
    hostname: { type: 'string' },
    'host-identifier': { type: 'string' },
    'poll-ms': { type: 'string', default: '2000' },
    shell: { type: 'string' },
    auth: { type: 'string', default: 'header' },
    ca: { type: 'string' },
    insecure: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  });
  const enrollSecret = values['enroll-secret'] ?? process.env.LOGBOOK_ENROLL_SECRET;
  const pollIntervalMs = Number(values['poll-ms']);
  if (values.help || !enrollSecret || !Number.isInteger(pollIntervalMs) || pollIntervalMs < 100 || !['header', 'frame'].includes(values.auth!)) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(values.help ? 0 : 2);
  }
  const simulator = await startLauncherSimulator({
    url: values.url!.replace(/\/+$/, ''),
    enrollSecret,
    hostname: values.hostname,
    hostIdentifier: values['host-identifier'],
    pollIntervalMs,
    shell: values.shell,
    auth: values.auth as 'header' | 'frame',
    trust: { ca: values.ca === undefined ? null : readFileSync(values.ca, 'utf8'), insecure: values.insecure === true },
    log: (message) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg: message })}\n`),
  });
  process.stdout.write(`${JSON.stringify({ msg: 'enrolled; polling for shell sessions', url: values.url, pollIntervalMs })}\n`);
  const stop = () => void simulator.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: Error) => {
  process.stderr.write(`launcher-simulator: ${error.message}\n`);
  process.exit(1);
});
