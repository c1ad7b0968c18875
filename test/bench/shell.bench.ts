/**
 * Remote shell through the broker next to the same shell's pty read directly, in one run:
 * - keystroke echo round trip (type one character at bash's prompt, wait for its echo), p50/p99;
 * - throughput of a large output (`seq 1 1000000`), MB/s.
 * The broker path is operator WebSocket → Logbook (child process) → launcher simulator → node-pty
 * and back; the direct path is node-pty in this process.
 *
 *   npm run bench:shell            (KEYSTROKES=1000, SEQ=1000000 by default)
 */
import { spawn as spawnPty } from 'node-pty';
import { WebSocket } from 'ws';
import { startLauncherSimulator } from '../../services/launcher-simulator/launcher-simulator';
import { setUpAdmin } from '../support/fleet-client';
import { startLogbook } from '../support/logbook-process';
import { applyEnrollSecret, ENROLL_SECRET, wsUrl } from '../support/shell-client';
import { runSuiteEnd } from '../support/teardown';
import { printTable, summarize } from './bench-stats';

const KEYSTROKES = Number(process.env.KEYSTROKES ?? 1_000);
const SEQ = Number(process.env.SEQ ?? 1_000_000);
const END_MARK = /END2/;

/** A terminal either way: write keystrokes, get output bytes. */
interface Terminal {
  write(text: string): void;
  onOutput(listener: (bytes: Buffer) => void): void;
  close(): void;
}

function directTerminal(): Terminal {
  const pty = spawnPty('/bin/bash', ['-l'], { name: 'xterm-256color', cols: 120, rows: 40, env: { ...process.env, TERM: 'xterm-256color' } as Record<string, string>, encoding: null } as Parameters<typeof spawnPty>[2]);
  const listeners: Array<(bytes: Buffer) => void> = [];
  pty.onData((data: string | Buffer) => {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (const listener of listeners) listener(bytes);
  });
  return { write: (text) => pty.write(text), onOutput: (listener) => listeners.push(listener), close: () => pty.kill() };
}

async function brokerTerminal(url: string, sessionId: string, token: string): Promise<Terminal> {
  const socket = new WebSocket(wsUrl(url, `/api/v1/fleet/shells/${sessionId}/websocket`));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send(JSON.stringify({ type: 'auth', data: { token } }));
  socket.send('3' + JSON.stringify({ columns: 120, rows: 40 }));
  const listeners: Array<(bytes: Buffer) => void> = [];
  socket.on('message', (data) => {
    const text = data.toString();
    if (text[0] !== '1') return;
    const bytes = Buffer.from(text.slice(1), 'base64');
    for (const listener of listeners) listener(bytes);
  });
  return { write: (text) => socket.send('1' + text), onOutput: (listener) => listeners.push(listener), close: () => socket.close(1000) };
}

/** Resolves when the output seen since the call matches `pattern`. */
function outputMatching(terminal: Terminal, pattern: RegExp, state: { tail: string; waiter: (() => void) | null; test: RegExp | null }): Promise<void> {
  state.tail = '';
  state.test = pattern;
  return new Promise((resolve) => (state.waiter = resolve));
}

function watch(terminal: Terminal) {
  const state = { tail: '', waiter: null as (() => void) | null, test: null as RegExp | null, bytes: 0, anyOutput: null as (() => void) | null };
  terminal.onOutput((bytes) => {
    state.bytes += bytes.length;
    const any = state.anyOutput;
    state.anyOutput = null;
    any?.();
    if (state.test) {
      state.tail = (state.tail + bytes.toString('latin1')).slice(-256);
      if (state.test.test(state.tail)) {
        const waiter = state.waiter;
        state.test = null;
        state.waiter = null;
        waiter?.();
      }
    }
  });
  return state;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(terminal: Terminal): Promise<{ echoMs: number[]; mbPerSecond: number; bytes: number }> {
  const state = watch(terminal);
  terminal.write('export PS1="$ "; stty cols 120 rows 40; echo READY$((1+1))\r');
  await outputMatching(terminal, /READY2/, state);
  await pause(200);
  const echoMs: number[] = [];
  for (let i = 0; i < KEYSTROKES; i++) {
    const echoed = new Promise<void>((resolve) => (state.anyOutput = resolve));
    const started = performance.now();
    terminal.write(String.fromCharCode(97 + (i % 26)));
    await echoed;
    echoMs.push(performance.now() - started);
    if (i % 40 === 39) {
      terminal.write('\x15'); // Ctrl-U: clear the line
      await pause(20);
    }
  }
  terminal.write('\x15');
  await pause(100);
  const before = state.bytes;
  const started = performance.now();
  const done = outputMatching(terminal, END_MARK, state);
  terminal.write(`seq 1 ${SEQ}; echo END$((1+1))\r`);
  await done;
  const seconds = (performance.now() - started) / 1000;
  const bytes = state.bytes - before;
  return { echoMs, mbPerSecond: bytes / 1e6 / seconds, bytes };
}

async function main(): Promise<void> {
  const logbook = await startLogbook({ env: { LOG_LEVEL: 'info' } });
  const admin = await setUpAdmin(logbook.url);
  await applyEnrollSecret(admin);
  const simulator = await startLauncherSimulator({ url: logbook.url, enrollSecret: ENROLL_SECRET, hostname: 'bench-host', pollIntervalMs: 100, shell: '/bin/bash' });
  try {
    let hostId: number | undefined;
    for (let attempt = 0; hostId === undefined && attempt < 100; attempt++) {
      hostId = ((await admin.get('/api/v1/fleet/shells/hosts')).body.hosts as Array<{ host_id: number }>)[0]?.host_id;
      if (hostId === undefined) await pause(50);
    }
    if (hostId === undefined) throw new Error('the simulated host never enabled remote shells');
    const sessionId = (await admin.post(`/api/v1/fleet/hosts/${hostId}/shells`)).body.session_id as string;

    const direct = directTerminal();
    const directResult = await measure(direct);
    direct.close();
    const broker = await brokerTerminal(logbook.url, sessionId, admin.token!);
    const brokerResult = await measure(broker);
    broker.close();

    const directEcho = summarize(directResult.echoMs);
    const brokerEcho = summarize(brokerResult.echoMs);
    console.log(`\nkeystroke echo round trip (${KEYSTROKES} keystrokes at bash's prompt), ms`);
    printTable([
      { path: 'pty read directly', p50: directEcho.p50, p99: directEcho.p99, max: directEcho.max },
      { path: 'through the broker', p50: brokerEcho.p50, p99: brokerEcho.p99, max: brokerEcho.max },
    ]);
    console.log(`\nthroughput of "seq 1 ${SEQ}" (${(directResult.bytes / 1e6).toFixed(1)} MB of terminal output)`);
    printTable([
      { path: 'pty read directly', 'MB/s': directResult.mbPerSecond, 'share of direct': '100 %' },
      { path: 'through the broker', 'MB/s': brokerResult.mbPerSecond, 'share of direct': `${((brokerResult.mbPerSecond / directResult.mbPerSecond) * 100).toFixed(0)} %` },
    ]);
    console.log(`\ntarget: echo p99 through the broker at most 10 ms -> ${brokerEcho.p99 <= 10 ? 'met' : 'NOT met'} (${brokerEcho.p99.toFixed(2)} ms)`);
  } finally {
    await simulator.stop();
    await runSuiteEnd();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
  void runSuiteEnd();
});
