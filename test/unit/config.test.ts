import assert from 'node:assert/strict';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../shared/config/config';

/** Runs loadConfig expecting it to fail, and returns the error's problem lines. */
function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    const lines = error.message.split('\n').slice(1);
    assert.deepEqual(lines, error.problems);
    return lines;
  }
  assert.fail(`expected loadConfig to reject ${JSON.stringify(env)}`);
}

function assertRejected(name: string, value: string): string {
  const problems = problemsOf({ [name]: value });
  assert.equal(problems.length, 1, problems.join('\n'));
  const [problem] = problems;
  assert.match(problem, new RegExp(`^${name}=`), problem);
  assert.ok(problem.includes(JSON.stringify(value)), `"${problem}" should show the bad value ${value}`);
  assert.match(problem, /expected .+/, problem);
  return problem;
}

describe('loadConfig', () => {
  describe('with an empty environment', () => {
    it('uses the documented defaults', () => {
      const { gateway, operations, hostLogs, ...shared } = loadConfig({});
      assert.ok(operations && hostLogs, 'operations and host logs: see config-operations.test.ts');
      assert.deepEqual(gateway, {
        maxResultBytes: 1_048_576,
        campaignWaitMs: 5_000,
        maxWatcherBufferBytes: 4 * 1_048_576,
        watcherStallMs: 10_000,
        sockJsBodyLimitBytes: 64 * 1024,
        campaignPollMs: 1_000,
        topicPartitions: 8,
        peersPollMs: 5_000,
        instanceId: gateway.instanceId,
      });
      assert.deepEqual(shared, {
        port: 8080,
        host: '0.0.0.0',
        plainHttp: true,
        tls: { port: 8443, certFile: null, keyFile: null, hostnames: [] },
        dataDir: path.resolve('./data'),
        eventStoreUrl: null,
        mongoUrl: null,
        mongoDatabase: 'logbook',
        kafkaBrokers: null,
        kafkaSecurity: { tls: null, sasl: null },
        logLevel: 'info',
        bodyLimitBytes: 1_048_576,
        readYourWritesTimeoutMs: 5000,
        sessionTtlHours: 24,
        loginThrottle: { maxFailuresPerAccount: 5, maxFailuresPerAddress: 20, failureWindowSeconds: 300, lockoutSeconds: 300 },
        trustedProxies: [],
        agentBodyLimitBytes: 16 * 1_048_576,
        hostDetailIntervalSeconds: 3600,
        hostLabelIntervalSeconds: 3600,
        hostPolicyIntervalSeconds: 3600,
        campaignExpirySeconds: 900,
        agentSnapshotIntervalSeconds: 60,
        resultsRetentionDays: 0,
        shellSecretTtlMs: 60_000,
        shellIdleTimeoutMs: 900_000,
        sockets: { authTimeoutMs: 10_000, maxUnauthenticated: 1000, allowedOrigins: [] },
      });
    });

    it('TLS: TLS_PORT a port or off, PLAIN_HTTP a boolean, TLS_HOSTNAMES a list, TLS_CERT with TLS_KEY', () => {
      assert.equal(loadConfig({ TLS_PORT: 'off' }).tls.port, null);
      assert.equal(loadConfig({ TLS_PORT: 'OFF' }).tls.port, null);
      assert.equal(loadConfig({ TLS_PORT: '0' }).tls.port, 0);
      assert.equal(loadConfig({ PLAIN_HTTP: 'false' }).plainHttp, false);
      assert.deepEqual(loadConfig({ TLS_HOSTNAMES: 'logbook.example.com, 10.0.0.5,::1' }).tls.hostnames, ['logbook.example.com', '10.0.0.5', '::1']);
      const both = loadConfig({ TLS_CERT: 'c.pem', TLS_KEY: 'k.pem' }).tls;
      assert.deepEqual([both.certFile, both.keyFile], [path.resolve('c.pem'), path.resolve('k.pem')]);
      assert.throws(() => loadConfig({ TLS_PORT: 'on' }), /TLS_PORT="on" is invalid: expected an integer port from 0 to 65535 for HTTPS/);
      assert.throws(() => loadConfig({ PLAIN_HTTP: 'maybe' }), /PLAIN_HTTP="maybe" is invalid/);
      assert.throws(() => loadConfig({ TLS_HOSTNAMES: 'ok.example, bad host' }), /TLS_HOSTNAMES=/);
      assert.throws(() => loadConfig({ TLS_CERT: 'c.pem' }), /TLS_CERT is set without TLS_KEY/);
      assert.throws(() => loadConfig({ TLS_KEY: 'k.pem' }), /TLS_KEY is set without TLS_CERT/);
      assert.throws(() => loadConfig({ PLAIN_HTTP: 'false', TLS_PORT: 'off' }), /nothing to listen on/);
    });

    it('treats empty and blank values as unset', () => {
      const config = loadConfig({ PORT: '', MONGO_URL: '   ', KAFKA_BROKERS: '', LOG_LEVEL: '' });
      assert.equal(config.port, 8080);
      assert.equal(config.mongoUrl, null);
      assert.equal(config.kafkaBrokers, null);
      assert.equal(config.logLevel, 'info');
    });

    it('ignores variables it does not know', () => {
      assert.equal(loadConfig({ PATH: '/usr/bin', HOME: '/root' }).port, 8080);
    });
  });

  describe('parses', () => {
    it('PORT as a number, including 0 for any free port', () => {
      assert.equal(loadConfig({ PORT: '9000' }).port, 9000);
      assert.equal(loadConfig({ PORT: '0' }).port, 0);
      assert.equal(loadConfig({ PORT: '65535' }).port, 65535);
    });

    it('HOST as a host name or an IP address', () => {
      assert.equal(loadConfig({ HOST: '127.0.0.1' }).host, '127.0.0.1');
      assert.equal(loadConfig({ HOST: '::' }).host, '::');
      assert.equal(loadConfig({ HOST: 'localhost' }).host, 'localhost');
      assert.equal(loadConfig({ HOST: 'results_gateway' }).host, 'results_gateway');
    });

    it('DATA_DIR into an absolute path', () => {
      assert.equal(loadConfig({ DATA_DIR: 'var/logbook' }).dataDir, path.resolve('var/logbook'));
      assert.equal(loadConfig({ DATA_DIR: '/srv/logbook' }).dataDir, '/srv/logbook');
    });

    it('EVENTSTORE_URL with the esdb and esdb+discover schemes', () => {
      const single = 'esdb://eventstore:2113?tls=false';
      assert.equal(loadConfig({ EVENTSTORE_URL: single }).eventStoreUrl, single);
      const cluster = 'esdb://admin:changeit@node1:2113,node2:2113,node3:2113?tls=true';
      assert.equal(loadConfig({ EVENTSTORE_URL: cluster }).eventStoreUrl, cluster);
      const discover = 'esdb+discover://cluster.example.com:2113';
      assert.equal(loadConfig({ EVENTSTORE_URL: discover }).eventStoreUrl, discover);
    });

    it('MONGO_URL with the mongodb and mongodb+srv schemes', () => {
      const plain = 'mongodb://mongo:27017';
      assert.equal(loadConfig({ MONGO_URL: plain }).mongoUrl, plain);
      const replicaSet = 'mongodb://user:pw@m1:27017,m2:27017/?replicaSet=rs0';
      assert.equal(loadConfig({ MONGO_URL: replicaSet }).mongoUrl, replicaSet);
      const srv = 'mongodb+srv://cluster0.example.net/?retryWrites=true';
      assert.equal(loadConfig({ MONGO_URL: srv }).mongoUrl, srv);
    });

    it('MONGO_DB', () => {
      assert.equal(loadConfig({ MONGO_DB: 'fleet_read_models' }).mongoDatabase, 'fleet_read_models');
    });

    it('KAFKA_BROKERS into a list, trimming spaces', () => {
      assert.deepEqual(loadConfig({ KAFKA_BROKERS: 'kafka:9092' }).kafkaBrokers, ['kafka:9092']);
      assert.deepEqual(loadConfig({ KAFKA_BROKERS: 'k1:9092, k2:9093 ,10.0.0.3:9094' }).kafkaBrokers, [
        'k1:9092',
        'k2:9093',
        '10.0.0.3:9094',
      ]);
    });

    it('Kafka TLS and SASL: files as absolute paths, the CA or a client certificate implying TLS', () => {
      const brokers = { KAFKA_BROKERS: 'kafka:9093' };
      assert.deepEqual(loadConfig(brokers).kafkaSecurity, { tls: null, sasl: null });
      assert.deepEqual(loadConfig({ ...brokers, KAFKA_SSL: 'true' }).kafkaSecurity.tls, { caFile: null, certFile: null, keyFile: null });
      assert.deepEqual(loadConfig({ ...brokers, KAFKA_SSL: 'false' }).kafkaSecurity.tls, null);
      assert.deepEqual(loadConfig({ ...brokers, KAFKA_SSL_CA: 'ca.pem' }).kafkaSecurity.tls, { caFile: path.resolve('ca.pem'), certFile: null, keyFile: null });
      assert.deepEqual(loadConfig({ ...brokers, KAFKA_SSL: 'true', KAFKA_SSL_CERT: 'c.pem', KAFKA_SSL_KEY: 'k.pem' }).kafkaSecurity.tls, {
        caFile: null,
        certFile: path.resolve('c.pem'),
        keyFile: path.resolve('k.pem'),
      });
      const sasl = { KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'logbook', KAFKA_SASL_PASSWORD: 'pa ss' };
      assert.deepEqual(loadConfig({ ...brokers, ...sasl }).kafkaSecurity, { tls: null, sasl: { mechanism: 'scram-sha-512', username: 'logbook', password: 'pa ss' } });
    });

    it('Kafka TLS and SASL settings only together, and only with KAFKA_BROKERS', () => {
      const brokers = { KAFKA_BROKERS: 'kafka:9093' };
      assert.throws(() => loadConfig({ KAFKA_SSL: 'true' }), /KAFKA_SSL is set without KAFKA_BROKERS/);
      assert.throws(() => loadConfig({ KAFKA_SSL_CA: 'ca.pem', KAFKA_SASL_MECHANISM: 'plain' }), /KAFKA_SSL_CA, KAFKA_SASL_MECHANISM are set without KAFKA_BROKERS/);
      assert.throws(() => loadConfig({ ...brokers, KAFKA_SSL: 'false', KAFKA_SSL_CA: 'ca.pem' }), /KAFKA_SSL=false with KAFKA_SSL_CA/);
      assert.throws(() => loadConfig({ ...brokers, KAFKA_SSL_CERT: 'c.pem' }), /KAFKA_SSL_CERT is set without KAFKA_SSL_KEY/);
      assert.throws(() => loadConfig({ ...brokers, KAFKA_SSL_KEY: 'k.pem' }), /KAFKA_SSL_KEY is set without KAFKA_SSL_CERT/);
      assert.throws(() => loadConfig({ ...brokers, KAFKA_SASL_MECHANISM: 'plain' }), /KAFKA_SASL_MECHANISM is set without KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/);
      assert.throws(() => loadConfig({ ...brokers, KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }), /KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD are set without KAFKA_SASL_MECHANISM/);
      assert.throws(() => loadConfig({ ...brokers, KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }), /KAFKA_SASL_MECHANISM="gssapi" is invalid: expected one of plain, scram-sha-256, scram-sha-512/);
      assert.throws(() => loadConfig({ ...brokers, KAFKA_SSL: 'yes please' }), /KAFKA_SSL="yes please" is invalid/);
    });

    it('never echoes a bad KAFKA_SASL_PASSWORD', () => {
      const password = `hunter2${'x'.repeat(1100)}`;
      const problems = problemsOf({ KAFKA_BROKERS: 'kafka:9093', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: password });
      assert.deepEqual(problems, ['KAFKA_SASL_PASSWORD="***" is invalid: expected KAFKA_SASL_USERNAME\'s password (at most 1024 characters)']);
    });

    it('LOG_LEVEL in any letter case', () => {
      assert.equal(loadConfig({ LOG_LEVEL: 'debug' }).logLevel, 'debug');
      assert.equal(loadConfig({ LOG_LEVEL: 'WARN' }).logLevel, 'warn');
      assert.equal(loadConfig({ LOG_LEVEL: 'silent' }).logLevel, 'silent');
    });

    it('BODY_LIMIT in bytes or with a unit', () => {
      assert.equal(loadConfig({ BODY_LIMIT: '2048' }).bodyLimitBytes, 2048);
      assert.equal(loadConfig({ BODY_LIMIT: '512kb' }).bodyLimitBytes, 512 * 1024);
      assert.equal(loadConfig({ BODY_LIMIT: '1mb' }).bodyLimitBytes, 1024 * 1024);
      assert.equal(loadConfig({ BODY_LIMIT: '1.5MB' }).bodyLimitBytes, 1.5 * 1024 * 1024);
      assert.equal(loadConfig({ BODY_LIMIT: '2 gb' }).bodyLimitBytes, 2 * 1024 ** 3);
      assert.equal(loadConfig({ BODY_LIMIT: '100b' }).bodyLimitBytes, 100);
    });

    it('READ_YOUR_WRITES_TIMEOUT_MS, where 0 is allowed', () => {
      assert.equal(loadConfig({ READ_YOUR_WRITES_TIMEOUT_MS: '250' }).readYourWritesTimeoutMs, 250);
      assert.equal(loadConfig({ READ_YOUR_WRITES_TIMEOUT_MS: '0' }).readYourWritesTimeoutMs, 0);
    });

    it('SESSION_TTL_HOURS, fractions included', () => {
      assert.equal(loadConfig({ SESSION_TTL_HOURS: '72' }).sessionTtlHours, 72);
      assert.equal(loadConfig({ SESSION_TTL_HOURS: '0.5' }).sessionTtlHours, 0.5);
    });

    it('the login throttle settings', () => {
      const config = loadConfig({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_ADDRESS: '50', LOGIN_FAILURE_WINDOW_S: '600', LOGIN_LOCKOUT_S: '1' });
      assert.deepEqual(config.loginThrottle, { maxFailuresPerAccount: 3, maxFailuresPerAddress: 50, failureWindowSeconds: 600, lockoutSeconds: 1 });
    });

    it('TRUSTED_PROXIES into a list of addresses and subnets', () => {
      assert.deepEqual(loadConfig({ TRUSTED_PROXIES: '10.0.0.5' }).trustedProxies, ['10.0.0.5']);
      assert.deepEqual(loadConfig({ TRUSTED_PROXIES: '172.16.0.0/12, ::1 ,fd00::/8' }).trustedProxies, ['172.16.0.0/12', '::1', 'fd00::/8']);
    });

    it('AGENT_BODY_LIMIT and the host refresh intervals', () => {
      assert.equal(loadConfig({ AGENT_BODY_LIMIT: '2mb' }).agentBodyLimitBytes, 2 * 1024 * 1024);
      assert.equal(loadConfig({ HOST_DETAIL_INTERVAL_S: '60' }).hostDetailIntervalSeconds, 60);
      assert.equal(loadConfig({ HOST_LABEL_INTERVAL_S: '5' }).hostLabelIntervalSeconds, 5);
      assert.equal(loadConfig({ HOST_POLICY_INTERVAL_S: '604800' }).hostPolicyIntervalSeconds, 604800);
    });

    it('AGENT_SNAPSHOT_INTERVAL_S: seconds, 0 for no snapshots', () => {
      assert.equal(loadConfig({ AGENT_SNAPSHOT_INTERVAL_S: '0' }).agentSnapshotIntervalSeconds, 0);
      assert.equal(loadConfig({ AGENT_SNAPSHOT_INTERVAL_S: '5' }).agentSnapshotIntervalSeconds, 5);
    });
  });

  describe('rejects, naming the variable, its value and what is expected,', () => {
    const invalid: Array<[string, string[]]> = [
      ['PORT', ['http', '-1', '65536', '80.5']],
      ['HOST', ['not a host', 'http://0.0.0.0', '[::1]']],
      ['EVENTSTORE_URL', ['http://eventstore:2113', 'eventstore:2113', 'esdb://', 'esdb://host:99999']],
      ['MONGO_URL', ['postgres://db:5432', 'mongodb://', 'mongodb://mongo:port', 'mongodb+srv://a:27017']],
      ['MONGO_DB', ['read.models', 'has space', 'a/b', 'x'.repeat(64)]],
      ['KAFKA_BROKERS', ['kafka', 'kafka:9092,', 'kafka:0', 'kafka:9092,broker two:9092']],
      ['LOG_LEVEL', ['verbose', 'information']],
      ['BODY_LIMIT', ['lots', '0', '1tb', '-5kb', '0.1b']],
      ['READ_YOUR_WRITES_TIMEOUT_MS', ['soon', '-1', '1.5', '2147483648']],
      ['SESSION_TTL_HOURS', ['forever', '0', '-3', '87601']],
      ['AGENT_BODY_LIMIT', ['huge', '0']],
      ['HOST_DETAIL_INTERVAL_S', ['hourly', '0', '1.5', '604801']],
      ['HOST_LABEL_INTERVAL_S', ['-1']],
      ['HOST_POLICY_INTERVAL_S', ['0']],
      ['CAMPAIGN_EXPIRY_S', ['soon', '0']],
      ['AGENT_SNAPSHOT_INTERVAL_S', ['often', '-1', '1.5', '86401']],
      ['LOGIN_MAX_FAILURES_PER_ACCOUNT', ['0', 'five', '2.5', '1001']],
      ['LOGIN_MAX_FAILURES_PER_ADDRESS', ['0', '100001']],
      ['LOGIN_FAILURE_WINDOW_S', ['0', '604801']],
      ['LOGIN_LOCKOUT_S', ['0', 'forever']],
      ['TRUSTED_PROXIES', ['proxy.internal', '10.0.0.5,', '10.0.0.0/33', 'loopback']],
    ];
    for (const [name, values] of invalid) {
      for (const value of values) {
        it(`${name}=${JSON.stringify(value.length > 20 ? value.slice(0, 20) + '...' : value)}`, () => {
          assertRejected(name, value);
        });
      }
    }

    it('and says what a valid value looks like', () => {
      assert.match(assertRejected('PORT', 'http'), /0 to 65535/);
      assert.match(assertRejected('LOG_LEVEL', 'verbose'), /fatal, error, warn, info, debug, trace, silent/);
      assert.match(assertRejected('KAFKA_BROKERS', 'kafka'), /host:port/);
      assert.match(assertRejected('EVENTSTORE_URL', 'http://x'), /esdb:\/\//);
      assert.match(assertRejected('MONGO_URL', 'http://x'), /mongodb:\/\//);
    });
  });

  it('reports every problem together, one per line', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      KAFKA_BROKERS: 'kafka',
      SESSION_TTL_HOURS: '0',
      MONGO_DB: 'logbook', // valid: not reported
    });
    assert.deepEqual(
      problems.map((line) => line.split('=')[0]),
      ['PORT', 'KAFKA_BROKERS', 'LOG_LEVEL', 'SESSION_TTL_HOURS'],
    );
  });

  it('never echoes credentials from a bad connection string', () => {
    const problems = problemsOf({ MONGO_URL: 'mongodb+srv://admin:hunter2@db.example.com:27017' });
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^MONGO_URL=/);
    assert.ok(!problems[0].includes('hunter2'), problems[0]);
  });
});

describe('loadConfig: the results gateway settings', () => {
  it('parses sizes with the same units as BODY_LIMIT, and the gateway timings', () => {
    const { gateway } = loadConfig({
      RESULT_MAX_BYTES: '512kb',
      WATCHER_BUFFER_BYTES: '1.5mb',
      WATCHER_STALL_MS: '250',
      SOCKJS_BODY_LIMIT: '8kb',
      CAMPAIGN_WAIT_MS: '0',
      CAMPAIGN_POLL_MS: '20',
      RESULTS_TOPIC_PARTITIONS: '4',
      GATEWAY_PEERS_POLL_MS: '100',
      GATEWAY_INSTANCE_ID: 'gateway-a.1',
    });
    assert.deepEqual(gateway, {
      maxResultBytes: 512 * 1024,
      maxWatcherBufferBytes: 1.5 * 1024 * 1024,
      watcherStallMs: 250,
      sockJsBodyLimitBytes: 8 * 1024,
      campaignWaitMs: 0,
      campaignPollMs: 20,
      topicPartitions: 4,
      peersPollMs: 100,
      instanceId: 'gateway-a.1',
    });
  });

  it('names each instance afresh when GATEWAY_INSTANCE_ID is unset', () => {
    const first = loadConfig({}).gateway.instanceId;
    assert.match(first, /^gateway-[0-9a-f-]{36}$/);
    assert.notEqual(loadConfig({}).gateway.instanceId, first);
  });

  const invalid: Array<[string, string[]]> = [
    ['RESULT_MAX_BYTES', ['big', '0', '1tb']],
    ['WATCHER_BUFFER_BYTES', ['-1', '0.1b']],
    ['CAMPAIGN_WAIT_MS', ['-1', '60001', '1.5']],
    ['CAMPAIGN_POLL_MS', ['9', '3600001']],
    ['RESULTS_TOPIC_PARTITIONS', ['0', '1001', 'many']],
    ['GATEWAY_PEERS_POLL_MS', ['99', '600001']],
    ['GATEWAY_INSTANCE_ID', ['has space', 'a/b', 'x'.repeat(101)]],
    ['WATCHER_STALL_MS', ['0', '3600001']],
    ['SOCKJS_BODY_LIMIT', ['0', 'lots']],
    ['SOCKET_AUTH_TIMEOUT_MS', ['0', '600001', '1.5']],
    ['MAX_UNAUTHENTICATED_SOCKETS', ['0', '1000001']],
    ['ALLOWED_ORIGINS', ['console.example.com', 'https://a.example.com/path', 'ftp://a.example.com', 'https://a.example.com/', 'https://a.example.com,']],
  ];
  for (const [name, values] of invalid) {
    for (const value of values) {
      it(`rejects ${name}=${JSON.stringify(value.length > 20 ? value.slice(0, 20) + '...' : value)}`, () => {
        assertRejected(name, value);
      });
    }
  }

  it('reads the socket bounds; ALLOWED_ORIGINS normalized as browsers send Origin', () => {
    const { sockets } = loadConfig({ SOCKET_AUTH_TIMEOUT_MS: '500', MAX_UNAUTHENTICATED_SOCKETS: '3', ALLOWED_ORIGINS: 'https://Console.Example.com:443, http://10.0.0.5:8080' });
    assert.deepEqual(sockets, { authTimeoutMs: 500, maxUnauthenticated: 3, allowedOrigins: ['https://console.example.com', 'http://10.0.0.5:8080'] });
  });

  it('reports its problems together with the other services\'', () => {
    const problems = problemsOf({ PORT: 'eighty', RESULT_MAX_BYTES: 'big', SHELL_IDLE_TIMEOUT_MS: '0' });
    assert.deepEqual(
      problems.map((line) => line.split('=')[0]),
      ['PORT', 'RESULT_MAX_BYTES', 'SHELL_IDLE_TIMEOUT_MS'],
    );
  });
});
