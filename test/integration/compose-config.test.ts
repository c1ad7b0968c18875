/**
 * docker-compose.yml as the real Docker Compose CLI reads it (issue 14: "`docker compose config`
 * parses the file"). `config` needs no Docker engine and no docker CLI: the standalone
 * docker-compose binary that infra/build-docker-compose.sh builds from source (pinned in
 * test/tools/docker-compose/go.mod) parses, interpolates, merges and validates the files against
 * the Compose specification's schema, and prints the normalized model, whose facts are checked
 * here. The binary is built by `npm run install-test-deps`: if it is missing, this test fails
 * (it does not skip), since the install step should have made it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dockerComposeBinary, REPO } from '../support/docker-compose-binary';

const run = promisify(execFile);

interface ComposePort {
  target: number;
  published?: string;
  host_ip?: string;
}
interface ComposeModel {
  services: Record<string, { ports?: ComposePort[]; image?: string; build?: unknown; healthcheck?: unknown }>;
  volumes?: Record<string, unknown>;
}

const LOGBOOK_SERVICES = [
  'tls-setup',
  'api',
  'agent-api',
  'agent-api-2',
  'results-gateway',
  'results-gateway-2',
  'shell-broker',
  'shell-broker-2',
  'projector',
  'projector-2',
];
const INFRASTRUCTURE = ['eventstore', 'mongo', 'kafka'];

describe('docker-compose.yml as Docker Compose reads it (docker-compose config)', function () {
  this.timeout(60_000);
  const binary = dockerComposeBinary();
  // No docker CLI on the PATH, no user configuration, no LOGBOOK_* from the caller's shell: only
  // what the files and the variables given here say.
  const env = (extra: Record<string, string> = {}) => ({ PATH: '/nonexistent', HOME: '/nonexistent', ...extra });
  const compose = (files: string[], args: string[], extra?: Record<string, string>) =>
    run(binary, [...files.flatMap((file) => ['-f', file]), ...args], { cwd: REPO, env: env(extra), maxBuffer: 16 * 1024 * 1024 });
  const model = async (files: string[], extra?: Record<string, string>) => JSON.parse((await compose(files, ['config', '--format', 'json'], extra)).stdout) as ComposeModel;
  const published = (m: ComposeModel) =>
    Object.entries(m.services).flatMap(([name, service]) => (service.ports ?? []).map((port) => ({ name, ...port })));

  before(() => {
    assert.ok(existsSync(binary), `${binary} is missing: \`npm run install-test-deps\` builds it (infra/build-docker-compose.sh, needs Go)`);
  });

  it('parses docker-compose.yml, and with docker-compose.host-ports.yml overlaid (config --quiet)', async () => {
    const alone = await compose(['docker-compose.yml'], ['config', '--quiet']);
    assert.equal(alone.stderr, '', 'no warning');
    const overlaid = await compose(['docker-compose.yml', 'docker-compose.host-ports.yml'], ['config', '--quiet']);
    assert.equal(overlaid.stderr, '', 'no warning');
  });

  it('has every Logbook service, the stores and the proxy; the Logbook services build the one image', async () => {
    const m = await model(['docker-compose.yml']);
    assert.deepEqual(Object.keys(m.services).sort(), [...LOGBOOK_SERVICES, ...INFRASTRUCTURE, 'proxy'].sort());
    for (const name of LOGBOOK_SERVICES) assert.ok(m.services[name]!.build, `${name} builds the image`);
  });

  it('publishes only the proxy by default, 443 (and 80); LOGBOOK_HTTPS_PORT moves 443', async () => {
    const ports = published(await model(['docker-compose.yml']));
    assert.deepEqual([...new Set(ports.map((port) => port.name))], ['proxy'], 'no infrastructure or service port is published');
    assert.ok(ports.some((port) => port.target === 443 && port.published === '443'), JSON.stringify(ports));
    const moved = published(await model(['docker-compose.yml'], { LOGBOOK_HTTPS_PORT: '8443' }));
    assert.ok(moved.some((port) => port.target === 443 && port.published === '8443'), JSON.stringify(moved));
  });

  it('with docker-compose.host-ports.yml, publishes the infrastructure on 127.0.0.1 only', async () => {
    const ports = published(await model(['docker-compose.yml', 'docker-compose.host-ports.yml']));
    const infrastructure = ports.filter((port) => port.name !== 'proxy');
    assert.deepEqual([...new Set(infrastructure.map((port) => port.name))].sort(), [...INFRASTRUCTURE].sort());
    for (const port of infrastructure) assert.equal(port.host_ip, '127.0.0.1', `${port.name}:${port.target}`);
  });

  it('refuses a file Compose does not accept (the check can fail)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-config-'));
    try {
      const file = join(dir, 'bad.yml');
      writeFileSync(file, 'services:\n  api:\n    image: logbook:local\n    restart: sometimes\n    ports: 443\n');
      await assert.rejects(compose([file], ['config', '--quiet']), (error: { stderr?: string }) => /ports|restart/.test(error.stderr ?? ''));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
