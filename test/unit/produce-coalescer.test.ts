import assert from 'node:assert/strict';
import { ProduceCoalescer, type TopicMessages } from '../../shared/adapters/results-bus/produce-coalescer';

/** A fake one-request-at-a-time producer: records each request and settles it when told. */
function fakeProducer() {
  const requests: Array<{ request: TopicMessages[]; settle: (error?: Error) => void }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const send = (request: TopicMessages[]) =>
    new Promise<void>((resolve, reject) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      requests.push({
        request,
        settle: (error) => {
          inFlight -= 1;
          if (error) reject(error);
          else resolve();
        },
      });
    });
  return { send, requests, maxInFlight: () => maxInFlight };
}

const message = (key: string, value = key) => ({ key, value });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ProduceCoalescer', () => {
  it('sends a lone call at once, and the calls made meanwhile together in the next request, in call order, one request at a time', async () => {
    const producer = fakeProducer();
    const coalescer = new ProduceCoalescer(producer.send);
    const settled: string[] = [];
    const first = coalescer.produce('results', [message('a')]).then(() => settled.push('a'));
    assert.equal(producer.requests.length, 1, 'the first call did not wait');
    const later = [
      coalescer.produce('results', [message('b')]).then(() => settled.push('b')),
      coalescer.produce('logs', [message('c')]).then(() => settled.push('c')),
      coalescer.produce('results', [message('d'), message('e')]).then(() => settled.push('d')),
    ];
    await tick();
    assert.equal(producer.requests.length, 1, 'nothing else is sent while a request is in flight');
    producer.requests[0].settle();
    await first;
    await tick();
    assert.equal(producer.requests.length, 2);
    assert.deepEqual(producer.requests[1].request, [
      { topic: 'results', messages: [message('b'), message('d'), message('e')] },
      { topic: 'logs', messages: [message('c')] },
    ]);
    assert.deepEqual(settled, ['a'], 'calls settle only with the request that carried them');
    producer.requests[1].settle();
    await Promise.all(later);
    assert.deepEqual(settled, ['a', 'b', 'c', 'd']);
    assert.equal(producer.maxInFlight(), 1);
  });

  it('rejects every call of a failed request, and goes on with the next ones', async () => {
    const producer = fakeProducer();
    const coalescer = new ProduceCoalescer(producer.send);
    const first = coalescer.produce('results', [message('a')]);
    const second = coalescer.produce('results', [message('b')]);
    const third = coalescer.produce('results', [message('c')]);
    producer.requests[0].settle();
    await first;
    await tick();
    producer.requests[1].settle(new Error('NOT_LEADER_FOR_PARTITION'));
    await assert.rejects(second, /NOT_LEADER/);
    await assert.rejects(third, /NOT_LEADER/);
    const fourth = coalescer.produce('results', [message('d')]);
    await tick();
    assert.equal(producer.requests.length, 3, 'a new call after the failure is sent');
    producer.requests[2].settle();
    await fourth;
  });

  it('puts no more than maxRequestBytes of values in one request (UTF-8 bytes), yet always at least one call', async () => {
    const producer = fakeProducer();
    const coalescer = new ProduceCoalescer(producer.send, 10);
    const calls = [coalescer.produce('t', [message('0')])];
    calls.push(coalescer.produce('t', [message('big', 'x'.repeat(25))])); // alone: over the limit by itself
    calls.push(coalescer.produce('t', [message('é', 'éééé')])); // 8 bytes
    calls.push(coalescer.produce('t', [message('f', 'fff')])); // 8 + 3 > 10
    for (let i = 0; i < 4; i++) {
      await tick();
      producer.requests[i].settle();
    }
    await Promise.all(calls);
    assert.deepEqual(
      producer.requests.map(({ request }) => request.flatMap((topic) => topic.messages.map((m) => m.key))),
      [['0'], ['big'], ['é'], ['f']],
    );
  });
});
