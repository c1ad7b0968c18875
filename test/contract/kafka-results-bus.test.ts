import { strict as assert } from 'node:assert';
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaLogRecord } from '../../shared/adapters/results-bus/kafka-client-parts';
import { connectKafkaResultsBus } from '../../shared/adapters/results-bus/kafka-results-bus';
import { kafkaBrokers } from '../support/kafka-broker';
import { describeResultsBusContract } from './results-bus.contract';
import { describeConsumerLagContract } from './results-bus-lag.contract';

describe('Kafka results bus', function () {
  let brokers: string[];

  before(async function () {
    this.timeout(600_000); // the first start on a machine resolves Kafka's jars with Maven
    brokers = await kafkaBrokers();
  });

  describeResultsBusContract('kafka', () => connectKafkaResultsBus({ brokers, clientId: 'results-bus-contract' }));
  describeConsumerLagContract('kafka', () => connectKafkaResultsBus({ brokers, clientId: 'results-bus-lag-contract' }));

  it('resolves ensureTopics for a topic another client is still creating only once every partition has a leader', async function () {
    this.timeout(60_000);
    const admin = new Kafka({ brokers, clientId: 'topic-creator', logLevel: logLevel.NOTHING }).admin();
    const bus = await connectKafkaResultsBus({ brokers, clientId: 'leader-wait' });
    await admin.connect();
    try {
      for (let round = 0; round < 5; round++) {
        const topic = `leaders-${Date.now()}-${round}`;
        // Another client creates it without waiting, as a second gateway starting at once does.
        await admin.createTopics({ topics: [{ topic, numPartitions: 16 }], waitForLeaders: false });
        await bus.ensureTopics([topic], 16);
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        assert.equal(topics[0].partitions.length, 16);
        assert.deepEqual(topics[0].partitions.filter((partition) => partition.leader < 0), [], `${topic}: every partition has a leader`);
      }
    } finally {
      await Promise.allSettled([admin.disconnect(), bus.close()]);
    }
  });

  it('fails to connect when no broker listens, telling the given log function why', async function () {
    this.timeout(60_000);
    const logged: KafkaLogRecord[] = [];
    await assert.rejects(
      connectKafkaResultsBus({ brokers: ['127.0.0.1:1'], clientId: 'nobody-there', log: (record) => logged.push(record) }),
    );
    assert.ok(
      logged.some((record) => record.level === 'error' && /ECONNREFUSED|connect/i.test(JSON.stringify(record))),
      `an error about the connection was logged: ${JSON.stringify(logged.slice(0, 3))}`,
    );
  });
});
