/**
 * Watches one live query campaign from the command line, over any of the gateway's transports:
 *   npm run watch-campaign -- --url http://127.0.0.1:8080 --token TOKEN --campaign 1 [--transport websocket|sockjs|socketio]
 *   npm run watch-campaign -- --url https://logbook:8443 --ca logbook.pem ...   (or --insecure: no verification)
 * The token may also come from LOGBOOK_TOKEN. Prints every message the server sends as one JSON
 * line ({"type", "data"}) and exits 0 once the campaign is finished (a finished campaign replays
 * in full first); exits 1 on an error message or when the connection ends before that, 2 on bad
 * arguments.
 */
import { readFileSync } from 'node:fs';
import { parseCliOptions } from '../../shared/cli/parse-cli-options';
import { TRANSPORTS, watchCampaign, type Transport } from './watcher-transports';

const USAGE = `usage: watch-campaign --url URL --token TOKEN --campaign ID [--transport ${TRANSPORTS.join('|')}] [--ca PEM_FILE | --insecure]`;

function readCa(file: string | undefined, problems: string[]): string | null {
  if (file === undefined) return null;
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    problems.push(`--ca: cannot read ${file}: ${(error as Error).message}`);
    return null;
  }
}

function main(): void {
  const { values } = parseCliOptions({
    url: { type: 'string', default: 'http://127.0.0.1:8080' },
    token: { type: 'string' },
    campaign: { type: 'string' },
    transport: { type: 'string', default: 'websocket' },
    ca: { type: 'string' },
    insecure: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  });
  const token = values.token ?? process.env.LOGBOOK_TOKEN;
  const campaignId = Number(values.campaign);
  const transport = values.transport as Transport;
  const problems = [
    !token && 'a token is required (--token or LOGBOOK_TOKEN)',
    !(Number.isSafeInteger(campaignId) && campaignId > 0) && '--campaign must be a positive integer',
    !TRANSPORTS.includes(transport) && `--transport must be one of ${TRANSPORTS.join(', ')}`,
  ].filter(Boolean) as string[];
  const ca = readCa(values.ca, problems);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (problems.length > 0) {
    for (const problem of problems) process.stderr.write(`watch-campaign: ${problem}\n`);
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }

  let done = false;
  const finish = (code: number, why?: string) => {
    if (done) return;
    done = true;
    if (why) process.stderr.write(`watch-campaign: ${why}\n`);
    watch.close();
    process.stdout.write('', () => process.exit(code));
  };
  const watch = watchCampaign(transport, values.url!.replace(/\/+$/, ''), token!, campaignId, {
    onMessage(message) {
      process.stdout.write(`${JSON.stringify(message)}\n`);
      if (message.type === 'error') finish(1, String(message.data));
      const status = message.data as { status?: string } | null;
      if (message.type === 'status' && status?.status === 'finished') finish(0);
    },
    onClose: (reason) => finish(1, `the connection ended before the campaign finished (${reason})`),
  }, { ca, insecure: values.insecure === true });
  const stop = () => finish(130, 'interrupted');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main();
