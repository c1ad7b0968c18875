/**
 * The compose stack (docker-compose.yml) on this machine, without Docker, for the topology test:
 * every Logbook service of the compose file as its own process, with the environment compose
 * gives it (each service name mapped to a loopback address of its own, on the compose PORT), and
 * Debian's nginx running the very file the compose proxy mounts (infra/nginx/logbook.conf) with
 * only addresses (upstream names, listen ports) and the certificate directory rewritten.
 *
 * Differences from compose, all about infrastructure: the event store is the embedded one shared
 * by every process (one DATA_DIR), MongoDB is the test stand-in, Kafka the test broker.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { onSuiteEnd } from './teardown';

const REPO = resolve(__dirname, '../../..');
const NGINX_SITE = join(REPO, 'infra/nginx/logbook.conf');
/** Lines of each service's output kept in memory for a failure's message. */
const OUTPUT_LINES = 50;

interface ComposeService {
  command?: string[];
  environment?: Record<string, string | number>;
  image?: string;
}

export interface ServiceProcess {
  name: string;
  address: string;
  port: number;
  child: ChildProcess;
  /** The last lines it printed (at most OUTPUT_LINES). */
  output: string[];
  /** Everything it printed, with a time per chunk: `<logDir>/<name>.log`. */
  logFile: string;
  /** kill -9 (or the signal given), and wait for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Set when it exited with a nonzero code or a signal that the test did not send (kill, stop). */
  crashed?: string;
}

export interface Topology {
  /** https://127.0.0.1:<port>: the one origin. */
  origin: string;
  /** The CA hosts and fleetctl trust (DATA_DIR/tls/ca.pem, made by tls-setup). */
  caPem: string;
  dataDir: string;
  /** Where each service's whole output goes (TOPOLOGY_LOG_DIR, or DATA_DIR/logs). */
  logDir: string;
  services: Map<string, ServiceProcess>;
  stop(): Promise<void>;
}

/** Compose's `${NAME:-default}` with nothing set on this machine: the default. */
function interpolate(value: string | number): string {
  return String(value).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
}

export function composeServices(): Record<string, ComposeService> {
  return (parseYaml(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService> }).services;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}

async function healthy(url: string, child: ChildProcess, output: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${output.slice(-5).join('\n')}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`not healthy at ${url} in ${timeoutMs} ms: ${output.slice(-5).join('\n')}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((done, fail) =>
    execFile(file, args, { env, timeout: 60_000 }, (error, stdout, stderr) => (error ? fail(new Error(`${file} ${args.join(' ')}: ${stderr || error.message}`)) : done(stdout))),
  );
}

/**
 * infra/nginx/logbook.conf with its addresses rewritten: each `server <compose name>:<port>` to
 * that service's loopback address, the listeners to loopback ports, the certificate directory
 * to DATA_DIR. Throws when a rewrite finds nothing to rewrite (the file changed shape).
 */
export function rewriteNginxSite(site: string, addresses: Map<string, string>, ports: { http: number; https: number }, dataDir: string): string {
  const replaceAll = (text: string, pattern: RegExp, replacement: (match: string, ...groups: string[]) => string, what: string) => {
    if (!pattern.test(text)) throw new Error(`infra/nginx/logbook.conf: no ${what} to rewrite`);
    return text.replace(pattern, replacement);
  };
  let text = replaceAll(site, /server ([a-z0-9-]+):(\d+)/g, (match, name: string, port: string) => {
    const address = addresses.get(name);
    if (!address) throw new Error(`infra/nginx/logbook.conf names ${name}, which is not a compose service`);
    return `server ${address}:${port}`;
  }, 'upstream server');
  text = replaceAll(text, /listen \[::\]:(80|443)( ssl)?;\n/g, () => '', 'IPv6 listener');
  text = replaceAll(text, /listen 80;/g, () => `listen 127.0.0.1:${ports.http};`, 'HTTP listener');
  text = replaceAll(text, /listen 443 ssl;/g, () => `listen 127.0.0.1:${ports.https} ssl;`, 'HTTPS listener');
  return replaceAll(text, /\/etc\/logbook-data/g, () => dataDir, 'certificate directory');
}

export async function startTopology(options: { dataDir: string; mongoUrl: string; kafkaBrokers: string; mongoDatabase: string }): Promise<Topology> {
  const services = composeServices();
  const names = Object.keys(services);
  // Each compose service its own loopback address, as each container has its own.
  const addresses = new Map(names.map((name, index) => [name, `127.0.${10 + Math.floor(index / 200)}.${(index % 200) + 10}`]));
  const environmentOf = (name: string): NodeJS.ProcessEnv => {
    const composed = Object.fromEntries(Object.entries(services[name].environment ?? {}).map(([key, value]) => [key, interpolate(value)]));
    delete composed.EVENTSTORE_URL; // the embedded event store, shared through DATA_DIR
    return {
      PATH: process.env.PATH,
      ...composed,
      HOST: addresses.get(name),
      DATA_DIR: options.dataDir,
      MONGO_URL: options.mongoUrl,
      MONGO_DB: options.mongoDatabase,
      KAFKA_BROKERS: options.kafkaBrokers,
      TRUSTED_PROXIES: '127.0.0.1', // the proxy, as the compose network's subnet is there
    };
  };

  // tls-setup first, as compose runs it before the proxy.
  await run(process.execPath, [join(REPO, services['tls-setup'].command![1])], environmentOf('tls-setup'));

  const logDir = process.env.TOPOLOGY_LOG_DIR ?? join(options.dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const started = new Map<string, ServiceProcess>();
  const logbookServices = names.filter((name) => name !== 'tls-setup' && services[name].command?.[0] === 'node');
  await Promise.all(
    logbookServices.map(async (name) => {
      const env = environmentOf(name);
      const port = Number(env.PORT);
      const child = spawn(process.execPath, [join(REPO, services[name].command![1])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const output: string[] = [];
      const logFile = join(logDir, `${name}.log`);
      const log = createWriteStream(logFile, { flags: 'a' });
      let stopping = false;
      child.once('exit', (code, signal) => {
        log.end(`${new Date().toISOString()} exited: code ${code}, signal ${signal}\n`);
        // A clean exit (0) is a service's own decision, e.g. a projector that lost its lease.
        if (!stopping && (code !== 0 || signal !== null)) service.crashed = `exited with code ${code}, signal ${signal}`;
      });
      const keep = (chunk: Buffer) => {
        log.write(`${new Date().toISOString()} ${chunk.toString()}`);
        output.push(...chunk.toString().split('\n').filter((line) => line !== ''));
        if (output.length > OUTPUT_LINES) output.splice(0, output.length - OUTPUT_LINES);
      };
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      const kill = (signal: NodeJS.Signals = 'SIGKILL') => {
        stopping = true;
        child.kill(signal);
        return exited(child);
      };
      const service: ServiceProcess = { name, address: addresses.get(name)!, port, child, output, logFile, kill };
      started.set(name, service);
      onSuiteEnd(() => service.kill());
      await healthy(`http://${service.address}:${port}/healthz`, child, output, 60_000).catch((error: Error) => {
        throw new Error(`${name}: ${error.message}`);
      });
    }),
  );

  const nginxDir = join(options.dataDir, 'nginx');
  mkdirSync(join(nginxDir, 'temp'), { recursive: true });
  const ports = { http: await freePort(), https: await freePort() };
  writeFileSync(join(nginxDir, 'logbook.conf'), rewriteNginxSite(readFileSync(NGINX_SITE, 'utf8'), addresses, ports, options.dataDir));
  const temp = join(nginxDir, 'temp');
  writeFileSync(
    join(nginxDir, 'nginx.conf'),
    [
      process.getuid?.() === 0 ? 'user root root;' : '',
      'worker_processes 1;',
      `pid ${join(nginxDir, 'nginx.pid')};`,
      'error_log stderr warn;',
      'events { worker_connections 1024; }',
      'http {',
      '  access_log off;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${temp}/${kind};`),
      `  include ${join(nginxDir, 'logbook.conf')};`,
      '}',
    ].join('\n'),
  );
  const nginxBinary = ['/usr/sbin/nginx', 'nginx'].find((candidate) => candidate === 'nginx' || require('node:fs').existsSync(candidate))!;
  const nginxArgs = ['-p', nginxDir, '-c', join(nginxDir, 'nginx.conf'), '-e', 'stderr'];
  await run(nginxBinary, [...nginxArgs, '-t', '-q'], process.env).catch((error: Error) => {
    // -e appeared in nginx 1.19.5; Debian 12 has 1.22.
    throw new Error(`nginx refuses the rewritten infra/nginx/logbook.conf: ${error.message}`);
  });
  const nginx = spawn(nginxBinary, [...nginxArgs, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const nginxOutput: string[] = [];
  nginx.stderr!.on('data', (chunk: Buffer) => nginxOutput.push(chunk.toString()));
  const stopNginx = async () => {
    nginx.kill('SIGTERM');
    await exited(nginx);
  };
  onSuiteEnd(stopNginx);
  const origin = `https://127.0.0.1:${ports.https}`;
  const caPem = readFileSync(join(options.dataDir, 'tls', 'ca.pem'), 'utf8');
  await waitForPort(ports.https, nginx, nginxOutput);
  return {
    origin,
    caPem,
    dataDir: options.dataDir,
    logDir,
    services: started,
    async stop() {
      await stopNginx();
      await Promise.all([...started.values()].map((service) => service.kill('SIGTERM')));
    },
  };
}

async function waitForPort(port: number, nginx: ChildProcess, output: string[]): Promise<void> {
  const { connect } = await import('node:net');
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (nginx.exitCode !== null) throw new Error(`nginx exited: ${output.join('')}`);
    const open = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1', () => (socket.destroy(), done(true)));
      socket.once('error', () => done(false));
    });
    if (open) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`nginx is not listening on ${port}: ${output.join('')}`);
}
