import assert from 'node:assert/strict';
import path from 'node:path';
import { ConfigError, describeConfig, loadConfig } from '../../shared/config/config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail(`expected loadConfig to reject ${JSON.stringify(env)}`);
}

describe('loadConfig: operations and osquery log destinations', () => {
  it('defaults: 60 s of start-up retries, 10 s bus time-out, open metrics, no access log; log files under DATA_DIR', () => {
    const config = loadConfig({ DATA_DIR: '/srv/logbook' });
    assert.deepEqual(config.operations, { startupRetrySeconds: 60, resultsBusTimeoutMs: 10_000, metricsToken: null, accessLog: false });
    assert.deepEqual(config.hostLogs, {
      result: { plugin: 'filesystem', file: path.join('/srv/logbook', 'osquery_result.log') },
      status: { plugin: 'filesystem', file: path.join('/srv/logbook', 'osquery_status.log') },
      fileMaxBytes: 100 * 1_048_576,
      fileMaxBackups: 5,
    });
  });

  it('with KAFKA_BROKERS the logs go to the bus topics unless a plugin is chosen', () => {
    const withKafka = loadConfig({ KAFKA_BROKERS: 'k:9092' }).hostLogs;
    assert.equal(withKafka.result.plugin, 'kafka');
    assert.equal(withKafka.status.plugin, 'kafka');
    const chosen = loadConfig({ KAFKA_BROKERS: 'k:9092', OSQUERY_RESULT_LOG_PLUGIN: 'Filesystem', OSQUERY_STATUS_LOG_PLUGIN: 'stdout', OSQUERY_RESULT_LOG_FILE: 'r.log' }).hostLogs;
    assert.deepEqual([chosen.result, chosen.status.plugin], [{ plugin: 'filesystem', file: path.resolve('r.log') }, 'stdout']);
  });

  it('refuses the kafka plugin without KAFKA_BROKERS, unknown plugins, and bad sizes and counts', () => {
    assert.match(problemsOf({ OSQUERY_STATUS_LOG_PLUGIN: 'kafka' })[0], /^OSQUERY_STATUS_LOG_PLUGIN=kafka needs KAFKA_BROKERS/);
    assert.match(problemsOf({ OSQUERY_RESULT_LOG_PLUGIN: 'firehose' })[0], /^OSQUERY_RESULT_LOG_PLUGIN="firehose" is invalid: expected one of filesystem, kafka, stdout/);
    assert.match(problemsOf({ OSQUERY_LOG_FILE_MAX_BYTES: 'big' })[0], /^OSQUERY_LOG_FILE_MAX_BYTES="big" is invalid/);
    assert.match(problemsOf({ OSQUERY_LOG_FILE_MAX_BACKUPS: '-1' })[0], /^OSQUERY_LOG_FILE_MAX_BACKUPS="-1" is invalid/);
    assert.match(problemsOf({ STARTUP_RETRY_S: 'soon' })[0], /^STARTUP_RETRY_S="soon" is invalid/);
    assert.match(problemsOf({ RESULTS_BUS_TIMEOUT_MS: '5' })[0], /^RESULTS_BUS_TIMEOUT_MS="5" is invalid/);
    assert.match(problemsOf({ ACCESS_LOG: 'loud' })[0], /^ACCESS_LOG="loud" is invalid/);
  });

  it('METRICS_TOKEN is never echoed back: not when too short, not in the logged summary', () => {
    const [problem] = problemsOf({ METRICS_TOKEN: 'short-secret' });
    assert.match(problem, /^METRICS_TOKEN="\*\*\*" is invalid: expected at least 16 characters/);
    assert.ok(!problem.includes('short-secret'));
    const config = loadConfig({ METRICS_TOKEN: 'a-long-enough-metrics-token' });
    assert.equal(config.operations.metricsToken, 'a-long-enough-metrics-token');
    assert.ok(!JSON.stringify(describeConfig(config)).includes('a-long-enough-metrics-token'));
    assert.equal((describeConfig(config).operations as { metricsToken: unknown }).metricsToken, '***');
  });
});
