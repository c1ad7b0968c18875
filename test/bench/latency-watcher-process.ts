/**
 * The WebSocket watcher of the live-latency benchmark, in its own process. Notes the wall-clock
 * time each frame arrived (before parsing it), selects the campaign, says {ready} after the first
 * status frame, and on "finished" (or on {report} from the parent) sends
 * {arrivals: [[hostname, arrivedAtEpochMs], ...], finished, errors}.
 *
 *   node latency-watcher-process.js <ws base url> <token> <campaign id>
 */
import WebSocket from 'ws';

const [baseUrl, token, campaignId] = process.argv.slice(2);
const socket = new WebSocket(`${baseUrl}/api/v1/fleet/results/websocket`);
const arrivals: Array<[string, number]> = [];
const errors: string[] = [];
let ready = false;
let finished = false;

function report(): void {
  process.send!({ arrivals, finished, errors }, () => process.exit(0));
}

socket.on('open', () => {
  socket.send(JSON.stringify({ type: 'auth', data: { token } }));
  socket.send(JSON.stringify({ type: 'select_campaign', data: { campaign_id: Number(campaignId) } }));
});
socket.on('message', (data) => {
  const arrivedAt = performance.timeOrigin + performance.now();
  const frame = JSON.parse(data.toString()) as { type: string; data: any };
  if (frame.type === 'result') {
    arrivals.push([frame.data.host.hostname, arrivedAt]);
  } else if (frame.type === 'status') {
    if (!ready) {
      ready = true;
      process.send!({ ready: true, atEpochMs: arrivedAt });
    }
    if (frame.data.status === 'finished' && !finished) {
      finished = true;
      report();
    }
  } else if (frame.type === 'error') {
    errors.push(String(frame.data));
  }
});
socket.on('close', (code, reason) => {
  errors.push(`socket closed: ${code} ${reason.toString()}`);
  if (!finished) report();
});
process.on('message', (message: { report?: boolean }) => {
  if (message.report) report();
});
