/**
 * A results watcher in its own process for the gateway benchmark (so its parsing does not share
 * the gateway's event loop): connects, selects the campaign, tells the parent "ready" after the
 * first status, then reports the rows received and the time from the first to the last result.
 *
 *   node gateway-watcher-process.js <ws base url> <token> <campaign id>
 */
import WebSocket from 'ws';

const [baseUrl, token, campaignId] = process.argv.slice(2);
const socket = new WebSocket(`${baseUrl}/api/v1/fleet/results/websocket`);
let ready = false;
let first = 0;
let last = 0;
let rows = 0;
let results = 0;

socket.on('open', () => {
  socket.send(JSON.stringify({ type: 'auth', data: { token } }));
  socket.send(JSON.stringify({ type: 'select_campaign', data: { campaign_id: Number(campaignId) } }));
});
socket.on('message', (data) => {
  const frame = JSON.parse(data.toString()) as { type: string; data: any };
  if (frame.type === 'result') {
    if (results === 0) first = performance.now();
    results += 1;
    rows += frame.data.rows.length;
    last = performance.now();
  } else if (frame.type === 'status') {
    if (!ready) {
      ready = true;
      process.send!({ ready: true });
    }
    if (frame.data.status === 'finished') {
      process.send!({ results, rows, elapsedMs: last - first }, () => process.exit(0));
    }
  } else if (frame.type === 'error') {
    process.send!({ error: frame.data }, () => process.exit(1));
  }
});
