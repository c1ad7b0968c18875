import assert from 'node:assert/strict';
import { loadConfig } from '../../shared/config/config';
import { describeConfig } from '../../shared/config/describe-config';

describe('describeConfig', () => {
  it('hides credentials in connection strings and keeps everything else', () => {
    const config = loadConfig({
      EVENTSTORE_URL: 'esdb://admin:changeit@eventstore:2113?tls=false',
      MONGO_URL: 'mongodb://logbook:s3cret@mongo:27017/?authSource=admin',
      KAFKA_BROKERS: 'kafka:9092',
      PORT: '8081',
    });
    const summary = describeConfig(config);
    const text = JSON.stringify(summary);
    assert.ok(!text.includes('changeit'), text);
    assert.ok(!text.includes('s3cret'), text);
    assert.equal(summary.eventStoreUrl, 'esdb://***@eventstore:2113?tls=false');
    assert.equal(summary.mongoUrl, 'mongodb://***@mongo:27017/?authSource=admin');
    assert.deepEqual(summary.kafkaBrokers, ['kafka:9092']);
    assert.equal(summary.port, 8081);
  });

  it('hides the Kafka SASL password and keeps the rest of the Kafka security settings', () => {
    const config = loadConfig({ KAFKA_BROKERS: 'kafka:9093', KAFKA_SSL_CA: '/etc/kafka/ca.pem', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'logbook', KAFKA_SASL_PASSWORD: 'kafka-s3cret' });
    const summary = describeConfig(config);
    assert.ok(!JSON.stringify(summary).includes('kafka-s3cret'));
    assert.deepEqual(summary.kafkaSecurity, {
      tls: { caFile: '/etc/kafka/ca.pem', certFile: null, keyFile: null },
      sasl: { mechanism: 'plain', username: 'logbook', password: '***' },
    });
  });

  it('hides secret-looking query parameters', () => {
    const config = loadConfig({ MONGO_URL: 'mongodb://mongo:27017/?tlsCertificateKeyFilePassword=pem-pass&w=1' });
    assert.equal(describeConfig(config).mongoUrl, 'mongodb://mongo:27017/?tlsCertificateKeyFilePassword=***&w=1');
  });

  it('lists every setting, including the gateway ones', () => {
    const config = loadConfig({ GATEWAY_INSTANCE_ID: 'gateway-1' });
    const summary = describeConfig(config);
    assert.deepEqual(Object.keys(summary).sort(), Object.keys(config).sort());
    assert.deepEqual(summary.gateway, config.gateway);
  });
});
