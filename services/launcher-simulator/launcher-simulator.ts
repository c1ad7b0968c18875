/**
 * A stand-in for osquery's launcher with the control feature on: enrolls like a host
 * (`POST /api/v1/osquery/enroll`), polls `POST /api/v1/shells`, and for each session it is given
 * runs a login shell under a pseudo-terminal (node-pty, loaded lazily by pty-loader.ts) and speaks
 * the frame protocol over `/api/v1/shells/<session id>`.
 */
import os from 'node:os';
import type { IPty } from 'node-pty';
import { WebSocket } from 'ws';
import { postJson, tlsOptionsOf, type LauncherTrust } from './launcher-http';
import { loadPty } from './pty-loader';

export interface LauncherSimulatorOptions {
  /** Logbook's base URL, such as http://127.0.0.1:8080. */
  url: string;
  enrollSecret: string;
  hostIdentifier?: string;
  hostname?: string;
  pollIntervalMs?: number;
  /** The login shell to run; default $SHELL or /bin/bash. */
  shell?: string;
  /** How to present the session secret: the Authorization header, or the first frame "0"+secret. */
  auth?: 'header' | 'frame';
  /** How an https:// URL's server is verified (default: by the system's CAs). */
  trust?: LauncherTrust;
  log?(message: string): void;
}

export interface LauncherSimulator {
  nodeKey: string;
  /** Sessions with a live shell right now. */
  activeSessions(): number;
  /** Polls once now (tests use this instead of waiting for the interval). */
  pollNow(): Promise<void>;
  stop(): Promise<void>;
}

const HIGH_WATER_BYTES = 1024 * 1024;

interface PollAnswer {
  sessions?: Array<{ session_id: string; secret: string }>;
  node_invalid?: boolean;
  error?: string;
}

async function enroll(options: LauncherSimulatorOptions, identifier: string, hostname: string): Promise<string> {
  const res = await postJson(
    `${options.url}/api/v1/osquery/enroll`,
    {
      enroll_secret: options.enrollSecret,
      host_identifier: identifier,
      platform_type: os.platform() === 'darwin' ? '21' : '9',
      host_details: { system_info: { hostname, uuid: identifier }, os_version: { platform: os.platform() } },
    },
    options.trust,
  );
  const body = res.body as { node_key?: string; error?: string };
  if (res.status !== 200 || typeof body.node_key !== 'string') throw new Error(`enrollment failed (${res.status}): ${body.error ?? 'no node_key'}`);
  return body.node_key;
}

export async function startLauncherSimulator(options: LauncherSimulatorOptions): Promise<LauncherSimulator> {
  const log = options.log ?? (() => undefined);
  // Before enrolling: without node-pty no session could run, so say so before becoming a host.
  const { spawn: spawnPty } = loadPty();
  const hostname = options.hostname ?? os.hostname();
  const identifier = options.hostIdentifier ?? `simulated-${hostname}`;
  let nodeKey = await enroll(options, identifier, hostname);
  const shells = new Map<string, { socket: WebSocket; pty: IPty | null }>();
  let stopped = false;

  function runSession(sessionId: string, secret: string): void {
    const wsUrl = `${options.url.replace(/^http/, 'ws')}/api/v1/shells/${sessionId}`;
    const byHeader = (options.auth ?? 'header') === 'header';
    const socket = new WebSocket(wsUrl, { ...(byHeader ? { headers: { authorization: `Bearer ${secret}` } } : {}), ...tlsOptionsOf(options.trust) });
    const entry: { socket: WebSocket; pty: IPty | null } = { socket, pty: null };
    shells.set(sessionId, entry);
    socket.on('open', () => {
      if (!byHeader) socket.send(`0${secret}`);
      const shell = options.shell ?? process.env.SHELL ?? '/bin/bash';
      const pty = spawnPty(shell, ['-l'], {
        name: 'xterm-256color',
        cols: 80,
        rows: 24,
        cwd: os.homedir(),
        env: { ...process.env, TERM: 'xterm-256color' } as Record<string, string>,
        encoding: null,
      } as Parameters<typeof spawnPty>[2]);
      entry.pty = pty;
      socket.send(`3${hostname}`);
      pty.onData((data: string | Buffer) => {
        if (socket.readyState !== WebSocket.OPEN) return;
        const bytes = typeof data === 'string' ? Buffer.from(data) : data;
        socket.send(`1${bytes.toString('base64')}`, () => {
          if (socket.bufferedAmount < HIGH_WATER_BYTES / 4) pty.resume();
        });
        if (socket.bufferedAmount > HIGH_WATER_BYTES) pty.pause();
      });
      pty.onExit(() => {
        entry.pty = null;
        if (socket.readyState === WebSocket.OPEN) socket.close(1000, 'the shell exited');
      });
      log(`session ${sessionId}: shell started`);
    });
    socket.on('message', (data) => {
      const text = data.toString();
      const pty = entry.pty;
      if (!pty) return;
      if (text[0] === '1') pty.write(text.slice(1));
      else if (text[0] === '2') socket.send('2');
      else if (text[0] === '3') {
        try {
          const { columns, rows } = JSON.parse(text.slice(1)) as { columns: number; rows: number };
          pty.resize(columns, rows);
        } catch {
          // the broker checks resize frames; ignore anything else
        }
      }
    });
    socket.on('close', (code, reason) => {
      log(`session ${sessionId}: closed (${code} ${reason.toString()})`);
      entry.pty?.kill();
      shells.delete(sessionId);
    });
    socket.on('error', (error) => log(`session ${sessionId}: ${error.message}`));
  }

  async function pollNow(): Promise<void> {
    const body = (await postJson(`${options.url}/api/v1/shells`, { node_key: nodeKey }, options.trust)).body as PollAnswer;
    if (body.node_invalid) {
      log('node key refused: enrolling again');
      nodeKey = await enroll(options, identifier, hostname);
      return;
    }
    for (const session of body.sessions ?? []) if (!shells.has(session.session_id)) runSession(session.session_id, session.secret);
  }

  const interval = options.pollIntervalMs ?? 2_000;
  let timer: NodeJS.Timeout | null = null;
  const loop = () => {
    timer = setTimeout(() => {
      pollNow()
        .catch((error: Error) => log(`poll failed: ${error.message}`))
        .finally(() => {
          if (!stopped) loop();
        });
    }, interval);
  };
  await pollNow();
  loop();

  return {
    get nodeKey() {
      return nodeKey;
    },
    activeSessions: () => shells.size,
    pollNow,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const { socket, pty } of shells.values()) {
        pty?.kill();
        socket.terminate();
      }
      shells.clear();
    },
  };
}
