/**
 * Kafka that asks for TLS and SASL: a real broker whose SASL_SSL listener presents a certificate
 * from a CA of the test's own and accepts one PLAIN user. The results bus contract runs over that
 * listener; a wrong password and an unknown CA are refused; and Logbook itself, configured only by
 * KAFKA_SSL_CA and KAFKA_SASL_*, starts healthy on it without printing the password.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectKafkaResultsBus } from '../../shared/adapters/results-bus/kafka-results-bus';
import { kafkaConnectionSecurity } from '../../shared/adapters/results-bus/kafka-security';
import type { KafkaSecurityConfig } from '../../shared/config/config';
import { issueCa, issueServerCertificate } from '../../shared/tls/x509-issuer';
import { describeResultsBusContract } from '../contract/results-bus.contract';
import { startSecuredKafkaBroker, type SecuredKafkaBroker } from '../support/kafka-broker';
import { startLogbook } from '../support/logbook-process';
import { onSuiteEnd } from '../support/teardown';

const USER = 'logbook';
const PASSWORD = 'kafka-pass-6f1c2e';

describe('Kafka over TLS and SASL/PLAIN', function () {
  let broker: SecuredKafkaBroker;
  let caFile: string;
  const security = (overrides: Partial<KafkaSecurityConfig> = {}): KafkaSecurityConfig => ({
    tls: { caFile, certFile: null, keyFile: null },
    sasl: { mechanism: 'plain', username: USER, password: PASSWORD },
    ...overrides,
  });

  before(async function () {
    this.timeout(600_000); // the first start on a machine resolves Kafka's jars with Maven
    const dir = mkdtempSync(join(tmpdir(), 'logbook-kafka-tls-'));
    onSuiteEnd(async () => rmSync(dir, { recursive: true, force: true }));
    const ca = await issueCa('Logbook test Kafka CA');
    const server = await issueServerCertificate(ca, ['localhost', '127.0.0.1']);
    caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, ca.certPem);
    const keystore = join(dir, 'broker.pem');
    writeFileSync(keystore, server.keyPem + server.certPem + ca.certPem);
    broker = await startSecuredKafkaBroker(keystore, { [USER]: PASSWORD });
  });

  describeResultsBusContract('kafka over TLS and SASL/PLAIN', () =>
    connectKafkaResultsBus({ brokers: [broker.secureAddress], clientId: 'secured-contract', ...kafkaConnectionSecurity(security()) }),
  );

  it('refuses a wrong password', async function () {
    this.timeout(60_000);
    const wrong = security({ sasl: { mechanism: 'plain', username: USER, password: 'not-the-password' } });
    await assert.rejects(connectKafkaResultsBus({ brokers: [broker.secureAddress], clientId: 'wrong-password', ...kafkaConnectionSecurity(wrong) }), /SASL|authenticat/i);
  });

  it("refuses a broker whose certificate the system's CAs do not vouch for", async function () {
    this.timeout(60_000);
    const systemCas = security({ tls: { caFile: null, certFile: null, keyFile: null } });
    await assert.rejects(connectKafkaResultsBus({ brokers: [broker.secureAddress], clientId: 'unknown-ca', ...kafkaConnectionSecurity(systemCas) }), /certificate/i);
  });

  it('starts Logbook on it from KAFKA_SSL_CA and KAFKA_SASL_*, the password in no log line', async function () {
    this.timeout(120_000);
    const logbook = await startLogbook({
      env: { KAFKA_BROKERS: broker.secureAddress, KAFKA_SSL_CA: caFile, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: USER, KAFKA_SASL_PASSWORD: PASSWORD },
    });
    try {
      const health = await fetch(`${logbook.url}/healthz`);
      assert.equal(health.status, 200);
      const started = logbook.output.find((line) => line.includes('"msg":"starting"')) ?? '';
      assert.match(started, /"sasl":\{"mechanism":"plain","username":"logbook","password":"\*\*\*"\}/);
      assert.ok(!logbook.output.some((line) => line.includes(PASSWORD)), 'the password appears in a log line');
    } finally {
      await logbook.stop();
    }
  });

  it('does not start Logbook with a wrong password, and says why', async function () {
    this.timeout(120_000);
    await assert.rejects(
      startLogbook({ env: { KAFKA_BROKERS: broker.secureAddress, KAFKA_SSL_CA: caFile, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: USER, KAFKA_SASL_PASSWORD: 'wrong-pass-9d3a' } }),
      (error: Error) => /exited \(1\) before listening/.test(error.message) && /SASL|authenticat/i.test(error.message) && !error.message.includes('wrong-pass-9d3a'),
    );
  });
});
