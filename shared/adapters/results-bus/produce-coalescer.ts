/**
 * Coalesces produce calls for a producer that sends one request at a time (kafkajs's idempotent
 * producer holds a lock per broker for its sequence numbers): a lone call goes out at once; calls
 * made while a request is in flight wait and go together in the next one, in call order, so under
 * load each round trip carries everything that arrived during the previous one.
 */
import type { OutgoingMessage } from '../../ports/results-bus';

export interface TopicMessages {
  topic: string;
  messages: OutgoingMessage[];
}

interface QueuedProduce {
  topic: string;
  messages: OutgoingMessage[];
  bytes: number;
  resolve(): void;
  reject(error: unknown): void;
}

/** Most bytes of message values coalesced into one request (the broker's default limit is 1 MiB per partition batch). */
const MAX_COALESCED_BYTES = 512 * 1024;

/**
 * Each call settles with the request that carried it: resolved once the broker acknowledged it,
 * rejected (and so retried or reported by its caller) when that request failed.
 */
export class ProduceCoalescer {
  private readonly queue: QueuedProduce[] = [];
  private sending = false;

  constructor(
    private readonly send: (request: TopicMessages[]) => Promise<void>,
    private readonly maxRequestBytes = MAX_COALESCED_BYTES,
  ) {}

  produce(topic: string, messages: OutgoingMessage[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const bytes = messages.reduce((sum, { value }) => sum + (typeof value === 'string' ? Buffer.byteLength(value) : value.length), 0);
      this.queue.push({ topic, messages, bytes, resolve, reject });
      if (!this.sending) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.sending = true;
    while (this.queue.length > 0) {
      const calls = this.takeRequest();
      const byTopic = new Map<string, OutgoingMessage[]>();
      for (const call of calls) {
        let list = byTopic.get(call.topic);
        if (!list) byTopic.set(call.topic, (list = []));
        list.push(...call.messages);
      }
      try {
        await this.send([...byTopic].map(([topic, messages]) => ({ topic, messages })));
        for (const call of calls) call.resolve();
      } catch (error) {
        for (const call of calls) call.reject(error);
      }
    }
    this.sending = false;
  }

  /** The calls for the next request: at least one, then more while they fit in maxRequestBytes. */
  private takeRequest(): QueuedProduce[] {
    let bytes = this.queue[0].bytes;
    let count = 1;
    while (count < this.queue.length && bytes + this.queue[count].bytes <= this.maxRequestBytes) bytes += this.queue[count++].bytes;
    return this.queue.splice(0, count);
  }
}
