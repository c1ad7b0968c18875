import { createInProcessResultsBus } from '../../shared/adapters/results-bus/in-process-results-bus';
import { connectKafkaResultsBus } from '../../shared/adapters/results-bus/kafka-results-bus';
import { openBusShellRelay } from '../../shared/adapters/shell-relay/bus-shell-relay';
import type { ResultsBus } from '../../shared/ports/results-bus';
import { kafkaBrokers } from '../support/kafka-broker';
import { describeShellRelayContract, type RecordingRelay } from './shell-relay.contract';

/** Relays on buses given by `busFor`; a silent one never beats (its heartbeat is an hour). */
function opener(busFor: () => Promise<ResultsBus>) {
  return async ({ silent }: { silent?: boolean }): Promise<RecordingRelay> => {
    const recording: RecordingRelay = { relay: null as never, received: [], lost: [] };
    const bus = await busFor();
    const relay = await openBusShellRelay(
      bus,
      { onMessage: (message, from) => recording.received.push({ message, from }), onBrokerLost: (id) => recording.lost.push(id) },
      { heartbeatMs: silent ? 3_600_000 : 100, lostAfterMs: 1_000 },
    );
    const close = relay.close.bind(relay);
    recording.relay = Object.assign(relay, silent ? { close: async () => undefined } : { close });
    return recording;
  };
}

describeShellRelayContract('over the in-process bus', async () => {
  const bus = createInProcessResultsBus();
  return { open: opener(async () => bus), close: () => bus.close() };
});

describe('shell relay over Kafka', function () {
  let brokers: string[];
  before(async function () {
    this.timeout(600_000); // the first start on a machine resolves Kafka's jars with Maven
    brokers = await kafkaBrokers();
  });
  describeShellRelayContract('kafka, one client per broker', async () => {
    const buses: ResultsBus[] = [];
    const busFor = async () => {
      const bus = await connectKafkaResultsBus({ brokers, clientId: `shell-relay-contract-${buses.length}` });
      buses.push(bus);
      return bus;
    };
    return { open: opener(busFor), close: async () => void (await Promise.all(buses.map((bus) => bus.close()))) };
  });
});
