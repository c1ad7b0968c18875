/**
 * A Kafka broker for tests. With KAFKA_BROKERS set (e.g. "127.0.0.1:9092,127.0.0.1:9093") the
 * tests use that; otherwise the first call starts a single-node broker with infra/kafka/run.sh
 * on free loopback ports, shared by the whole test process and stopped when the suite ends.
 *
 * The very first start on a machine resolves Kafka's jars with Maven and can take minutes: call
 * this from a `before` hook with a long timeout (e.g. this.timeout(600_000)).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { onSuiteEnd } from './teardown';

const START_DEADLINE_MS = 9 * 60_000;
const STOP_GRACE_MS = 20_000;

let started: Promise<string[]> | undefined;

export async function kafkaBrokers(): Promise<string[]> {
  const configured = process.env.KAFKA_BROKERS?.split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
  if (configured && configured.length > 0) return configured;
  started ??= startLocalBroker();
  return started;
}

async function startLocalBroker(): Promise<string[]> {
  const runScript = path.join(findRepoRoot(), 'infra', 'kafka', 'run.sh');
  // The free ports are picked before the broker binds them; should another process take one in
  // between, the broker exits with a bind error and we try again on other ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return [await startBrokerOnFreePorts(runScript)];
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= 3) throw error;
    }
  }
}

class PortTakenError extends Error {}

async function startBrokerOnFreePorts(runScript: string): Promise<string> {
  const broker = await launchOnFreePorts(runScript);
  onSuiteEnd(broker.stop);
  return broker.address;
}

/** A broker of a test's own, which it may kill -9 and start again on the same ports and log dir. */
export interface RestartableKafkaBroker {
  address: string;
  /** SIGKILL the broker's process group (kill -9) and wait for it to exit. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and log dir (topics and offsets survive); resolves once it serves. */
  restart(): Promise<void>;
  /** SIGTERM, then removes its directory. */
  stop(): Promise<void>;
}

/**
 * Starts a dedicated single-node broker (never the shared one of kafkaBrokers(), which other
 * tests use), stopped when the suite ends. Same first-start caveat as kafkaBrokers().
 */
export async function startRestartableKafkaBroker(): Promise<RestartableKafkaBroker> {
  const runScript = path.join(findRepoRoot(), 'infra', 'kafka', 'run.sh');
  for (let attempt = 1; ; attempt++) {
    try {
      const broker = await launchOnFreePorts(runScript);
      onSuiteEnd(broker.stop);
      return broker;
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= 3) throw error;
    }
  }
}

/** A broker with a second listener that asks for TLS, then SASL/PLAIN (infra/kafka/run.sh's KAFKA_SASL_SSL_*). */
export interface SecuredKafkaBroker {
  /** The PLAINTEXT listener (no authentication). */
  address: string;
  /** The SASL_SSL listener. */
  secureAddress: string;
  stop(): Promise<void>;
}

/**
 * Starts a dedicated broker whose SASL_SSL listener presents the key and certificate chain in
 * `keystoreFile` (PEM: a PKCS#8 key, then the chain) and accepts the PLAIN `users` (name to
 * password), stopped when the suite ends. Same first-start caveat as kafkaBrokers().
 */
export async function startSecuredKafkaBroker(keystoreFile: string, users: Record<string, string>): Promise<SecuredKafkaBroker> {
  const runScript = path.join(findRepoRoot(), 'infra', 'kafka', 'run.sh');
  const plainUsers = Object.entries(users).map(([name, password]) => `user_${name}=${JSON.stringify(password)}`).join(' ');
  for (let attempt = 1; ; attempt++) {
    const securePort = await freeLoopbackPort();
    try {
      const broker = await launchOnFreePorts(runScript, {
        KAFKA_SASL_SSL_PORT: String(securePort),
        KAFKA_SASL_SSL_KEYSTORE: keystoreFile,
        KAFKA_SASL_PLAIN_USERS: plainUsers,
      });
      onSuiteEnd(broker.stop);
      return { address: broker.address, secureAddress: `127.0.0.1:${securePort}`, stop: broker.stop };
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= 3) throw error;
    }
  }
}

interface RunningBroker {
  broker: ChildProcess;
  exited: Promise<number | null>;
}

function spawnBroker(runScript: string, port: number, controllerPort: number, workDir: string, outputFile: string, env: NodeJS.ProcessEnv): RunningBroker {
  const output = fs.openSync(outputFile, 'a');
  const broker = spawn('bash', [runScript, String(port), path.join(workDir, 'broker'), String(controllerPort)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', output, output],
    detached: true, // own process group, so stopping it also ends a Maven run still resolving jars
  });
  fs.closeSync(output);
  const exited = new Promise<number | null>((resolve) => broker.once('exit', (code) => resolve(code)));
  return { broker, exited };
}

async function launchOnFreePorts(runScript: string, env: NodeJS.ProcessEnv = {}): Promise<RestartableKafkaBroker> {
  const port = await freeLoopbackPort();
  let controllerPort = await freeLoopbackPort();
  while (controllerPort === port) controllerPort = await freeLoopbackPort();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'logbook-kafka-test-'));
  const outputFile = path.join(workDir, 'broker-output.log');
  let running = spawnBroker(runScript, port, controllerPort, workDir, outputFile, env);
  const killIfTestProcessDies = () => killGroup(running.broker, 'SIGKILL');
  process.once('exit', killIfTestProcessDies);
  const stop = async () => {
    process.removeListener('exit', killIfTestProcessDies);
    await stopBroker(running.broker, running.exited);
    fs.rmSync(workDir, { recursive: true, force: true });
  };

  const address = `127.0.0.1:${port}`;
  try {
    await waitUntilServing(address, running.exited, outputFile);
  } catch (error) {
    const portTaken = /Address already in use/i.test(tail(outputFile, 200));
    await stop();
    throw portTaken ? new PortTakenError(String(error)) : error;
  }
  return {
    address,
    stop,
    async kill() {
      killGroup(running.broker, 'SIGKILL');
      await running.exited;
    },
    async restart() {
      if (running.broker.exitCode === null && running.broker.signalCode === null) throw new Error('the broker is still running: kill it first');
      running = spawnBroker(runScript, port, controllerPort, workDir, outputFile, env);
      await waitUntilServing(address, running.exited, outputFile);
    },
  };
}

/**
 * Polls with a kafkajs admin until the broker lists topics and hosts a new partition (a probe
 * topic created with its leader elected: listing topics alone answers before the controller
 * lets the broker lead partitions, and a first produce then got "This server does not host this
 * topic-partition"); fails early if run.sh exits.
 */
async function waitUntilServing(address: string, exited: Promise<number | null>, outputFile: string): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + START_DEADLINE_MS;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(`Kafka broker exited (code ${exitCode}) before serving:\n${tail(outputFile)}`);
    }
    const admin = new Kafka({
      clientId: 'test-broker-probe',
      brokers: [address],
      connectionTimeout: 1_000,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    }).admin();
    try {
      await admin.connect();
      await admin.listTopics();
      await admin.createTopics({ topics: [{ topic: 'logbook-test-broker-probe', numPartitions: 1 }], waitForLeaders: true, timeout: 5_000 });
      return;
    } catch (error) {
      lastError = error;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`Kafka broker did not serve within ${START_DEADLINE_MS / 1000} s (${String(lastError)}):\n${tail(outputFile)}`);
}

async function stopBroker(broker: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (broker.exitCode !== null || broker.signalCode !== null) return;
  killGroup(broker, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), STOP_GRACE_MS)));
  const outcome = await Promise.race([exited, gaveUp]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    killGroup(broker, 'SIGKILL');
    await exited;
  }
}

function killGroup(broker: ChildProcess, signal: NodeJS.Signals): void {
  if (broker.pid === undefined || broker.exitCode !== null || broker.signalCode !== null) return;
  try {
    process.kill(-broker.pid, signal);
  } catch {
    // already gone
  }
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The nearest directory above this file that holds package.json and infra/kafka/run.sh. */
function findRepoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'infra', 'kafka', 'run.sh'))) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no repository root (package.json + infra/kafka/run.sh) above ${__dirname}`);
    dir = parent;
  }
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}
