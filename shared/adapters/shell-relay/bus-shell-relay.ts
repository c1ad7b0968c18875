/**
 * The shell relay over the results bus (Kafka between processes; two relays on one in-process
 * bus in tests). One topic, `logbook.shell-relay`, keyed by session id, so one broker's messages
 * for one session stay in order (liveness messages are keyed by broker id). Every broker reads
 * the whole topic in a consumer group of its own (`logbook-shell-relay-<broker id>`, from the
 * end) and skips what it sent. Frames longer than PART_CHARS go as consecutive parts and are
 * joined again before delivery. Each broker says it is alive every `heartbeatMs`; one not heard
 * from for `lostAfterMs` is lost, and one that closes says so.
 *
 * Data at rest: what passes here (keystrokes, output, not-yet-used secrets) is written to the
 * Kafka topic. The topic is created with a short retention (RELAY_RETENTION_MS) so that it is not a
 * transcript store; secrets are one-use and expire within SHELL_SECRET_TTL_MS anyway.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, IncomingMessage, ResultsBus } from '../../ports/results-bus';
import type { RelayHandlers, RelayMessage, ShellRelay } from '../../ports/shell-relay';

export const SHELL_RELAY_TOPIC = 'logbook.shell-relay';
export const RELAY_GROUP_PREFIX = 'logbook-shell-relay-';
/** Kafka keeps relayed messages this long (retention.ms), then drops them. */
export /** How long opening waits to see its own heartbeat come back before taking sessions anyway. */
const READS_TOPIC_WAIT_MS = 10_000;
const RELAY_RETENTION_MS = 60_000;
/** Characters of frame text per bus message: JSON escaping keeps it far below Kafka's 1 MB. */
const PART_CHARS = 100_000;
/** A frame being joined from parts is dropped past this (twice the launcher's frame limit). */
const MAX_JOINED_CHARS = 2 * 1024 * 1024;

type Envelope =
  | { b: string; m: RelayMessage; part?: number; parts?: number }
  | { b: string; alive: true }
  | { b: string; gone: true };

export interface BusShellRelayOptions {
  heartbeatMs?: number;
  lostAfterMs?: number;
  brokerId?: string;
  onError?: (error: Error) => void;
}

/** Splits at PART_CHARS, never inside a surrogate pair. */
function splitText(text: string): string[] {
  const parts: string[] = [];
  let at = 0;
  while (at < text.length) {
    let end = Math.min(text.length, at + PART_CHARS);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    parts.push(text.slice(at, end));
    at = end;
  }
  return parts.length > 0 ? parts : [''];
}

export async function openBusShellRelay(bus: ResultsBus, handlers: RelayHandlers, options: BusShellRelayOptions = {}): Promise<ShellRelay> {
  const brokerId = options.brokerId ?? randomUUID();
  const heartbeatMs = options.heartbeatMs ?? 2_000;
  const lostAfterMs = options.lostAfterMs ?? 10_000;
  const onError = options.onError ?? (() => undefined);
  const lastHeard = new Map<string, number>();
  /** Frames being joined, by sender and session and direction. */
  const joining = new Map<string, { parts: string[]; chars: number }>();
  let closed = false;

  const lost = (id: string) => {
    if (!lastHeard.delete(id)) return;
    for (const key of joining.keys()) if (key.startsWith(`${id}/`)) joining.delete(key);
    handlers.onBrokerLost(id);
  };

  // Its own first heartbeat coming back shows the consumer reads the topic (a new group's start
  // is fixed at its first fetch, after the join): only then does this broker take sessions.
  let reading!: () => void;
  const readsTopic = new Promise<void>((resolve) => (reading = resolve));
  const deliver = (envelope: Envelope) => {
    if (envelope.b === brokerId) return reading();
    if (closed) return;
    if ('gone' in envelope) return lost(envelope.b);
    lastHeard.set(envelope.b, Date.now());
    if ('alive' in envelope) return;
    const { m, part, parts } = envelope;
    if (m.kind !== 'frame' || parts === undefined || parts <= 1) return handlers.onMessage(m, envelope.b);
    const key = `${envelope.b}/${m.session_id}/${m.from}`;
    const pending = part === 0 ? { parts: [], chars: 0 } : joining.get(key);
    if (!pending || pending.parts.length !== part) return void joining.delete(key); // a part missing: the seq gap shows it
    pending.parts.push(m.text);
    pending.chars += m.text.length;
    if (pending.chars > MAX_JOINED_CHARS) return void joining.delete(key);
    if (part < parts - 1) return void joining.set(key, pending);
    joining.delete(key);
    handlers.onMessage({ ...m, text: pending.parts.join('') }, envelope.b);
  };

  const onMessage = (message: IncomingMessage) => {
    try {
      deliver(JSON.parse(message.value.toString('utf8')) as Envelope);
    } catch (error) {
      onError(error as Error); // never rethrown: the bus would retry a message that cannot be read forever
    }
  };

  await bus.ensureTopics([SHELL_RELAY_TOPIC], 1, { retentionMs: RELAY_RETENTION_MS });
  const consumer: Consumer = await bus.consume({ groupId: `${RELAY_GROUP_PREFIX}${brokerId}`, topics: [SHELL_RELAY_TOPIC], fromBeginning: false, onMessage, onError });

  const send = (key: string, envelopes: Envelope[]) => bus.produce(SHELL_RELAY_TOPIC, envelopes.map((envelope) => ({ key, value: JSON.stringify(envelope) })));
  const heartbeat = setInterval(() => {
    void send(brokerId, [{ b: brokerId, alive: true }]).catch(onError);
    const now = Date.now();
    for (const [id, at] of lastHeard) if (now - at > lostAfterMs) lost(id);
  }, heartbeatMs);
  heartbeat.unref();
  // Not fatal: a topic another broker created a moment ago can be unknown to the metadata for a
  // moment ("This server does not host this topic-partition"); the heartbeat says it again in 2 s.
  await send(brokerId, [{ b: brokerId, alive: true }]).catch(onError);
  let waited: NodeJS.Timeout | undefined;
  await Promise.race([readsTopic, new Promise<void>((resolve) => (waited = setTimeout(resolve, READS_TOPIC_WAIT_MS)))]);
  clearTimeout(waited);

  return {
    brokerId,
    shared: true,
    publish(message) {
      if (closed) return Promise.reject(new Error('the shell relay is closed'));
      if (message.kind !== 'frame' || message.text.length <= PART_CHARS) return send(message.session_id, [{ b: brokerId, m: message }]);
      // One produce call per part: the bus keeps call order, and a call is never split, so each
      // part stays well under Kafka's 1 MB batch limit (a whole 1 MiB frame in one call would not).
      const texts = splitText(message.text);
      return Promise.all(texts.map((text, part) => send(message.session_id, [{ b: brokerId, m: { ...message, text }, part, parts: texts.length }]))).then(() => undefined);
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      await send(brokerId, [{ b: brokerId, gone: true }]).catch(onError);
      await consumer.stop();
    },
  };
}
