import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaConnectionSecurity } from '../../shared/adapters/results-bus/kafka-security';

describe('kafkaConnectionSecurity', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'logbook-kafka-security-'));
    writeFileSync(join(dir, 'ca.pem'), 'CA PEM');
    writeFileSync(join(dir, 'cert.pem'), 'CERT PEM');
    writeFileSync(join(dir, 'key.pem'), 'KEY PEM');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives kafkajs nothing for a plaintext, anonymous connection', () => {
    assert.deepEqual(kafkaConnectionSecurity({ tls: null, sasl: null }), {});
  });

  it("asks for TLS verified by the system's CAs when no file is named", () => {
    assert.deepEqual(kafkaConnectionSecurity({ tls: { caFile: null, certFile: null, keyFile: null }, sasl: null }), { ssl: true });
  });

  it('passes the contents of the PEM files, and the SASL mechanism and credentials', () => {
    const security = kafkaConnectionSecurity({
      tls: { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') },
      sasl: { mechanism: 'scram-sha-256', username: 'logbook', password: 'pw' },
    });
    assert.deepEqual(security, { ssl: { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' }, sasl: { mechanism: 'scram-sha-256', username: 'logbook', password: 'pw' } });
  });

  it('names the setting whose file cannot be read', () => {
    const missing = join(dir, 'missing.pem');
    assert.throws(
      () => kafkaConnectionSecurity({ tls: { caFile: missing, certFile: null, keyFile: null }, sasl: null }),
      (error: Error) => error.message.startsWith(`KAFKA_SSL_CA: cannot read ${missing}: `) && /ENOENT/.test(error.message),
    );
  });
});
