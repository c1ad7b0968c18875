/**
 * The results gateway's own settings, from environment variables, validated at start-up with the
 * same one-line-per-problem ConfigError as the shared configuration.
 */
import { randomUUID } from 'node:crypto';
import Joi from 'joi';
import { ConfigError } from '../../shared/config/config';

export interface GatewayConfig {
  /** A result message larger than this (bytes) is recorded as an error for its host instead. */
  maxResultBytes: number;
  /**
   * A result for a campaign not (yet) in the read model is retried until its message is this old
   * (ms since it was produced), then dropped: the campaign doc is projected shortly after creation,
   * and the first results may arrive first. Keep it well under the Kafka session timeout (10 s).
   */
  campaignWaitMs: number;
  /** A watcher whose unsent frames exceed this many bytes is disconnected (see campaign-watcher). */
  maxWatcherBufferBytes: number;
  /** How often a watched, unfinished campaign's status is re-read (stopped/completed/expired). */
  campaignPollMs: number;
  /** Partitions of the gateway's topics when it creates them. */
  topicPartitions: number;
  /**
   * How often the recorder looks for other gateway instances (their live fan-out groups); it
   * relays what it records only while another instance is there.
   */
  peersPollMs: number;
  /** Names this instance: its live fan-out consumer group and the origin of what it relays. */
  instanceId: string;
}

export const DEFAULT_GATEWAY_CONFIG: Omit<GatewayConfig, 'instanceId'> = {
  maxResultBytes: 1_048_576,
  campaignWaitMs: 5_000,
  maxWatcherBufferBytes: 4 * 1_048_576,
  campaignPollMs: 1_000,
  topicPartitions: 8,
  peersPollMs: 5_000,
};

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2 };
const byteSize = Joi.string().custom((value: string, helpers) => {
  const match = /^(\d+)\s*(b|kb|mb)?$/i.exec(value);
  const bytes = match ? Number(match[1]) * SIZE_UNITS[(match[2] ?? 'b').toLowerCase()] : 0;
  return bytes >= 1 && Number.isSafeInteger(bytes) ? bytes : helpers.error('any.invalid');
});

const VARIABLES: Record<string, { schema: Joi.Schema; expected: string }> = {
  RESULT_MAX_BYTES: { schema: byteSize, expected: 'a positive size in bytes, or with a unit b, kb or mb (such as 512kb)' },
  CAMPAIGN_WAIT_MS: { schema: Joi.number().integer().min(0).max(60_000), expected: 'an integer number of milliseconds from 0 to 60000' },
  WATCHER_BUFFER_BYTES: { schema: byteSize, expected: 'a positive size in bytes, or with a unit b, kb or mb (such as 4mb)' },
  CAMPAIGN_POLL_MS: { schema: Joi.number().integer().min(10).max(3_600_000), expected: 'an integer number of milliseconds from 10 to 3600000' },
  RESULTS_TOPIC_PARTITIONS: { schema: Joi.number().integer().min(1).max(1000), expected: 'an integer from 1 to 1000' },
  GATEWAY_PEERS_POLL_MS: { schema: Joi.number().integer().min(100).max(600_000), expected: 'an integer number of milliseconds from 100 to 600000' },
  GATEWAY_INSTANCE_ID: { schema: Joi.string().pattern(/^[A-Za-z0-9._-]{1,100}$/), expected: '1 to 100 letters, digits, dots, dashes or underscores' },
};

export function loadGatewayConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  const problems: string[] = [];
  const value: Record<string, unknown> = {};
  for (const [name, rule] of Object.entries(VARIABLES)) {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') continue;
    const checked = rule.schema.validate(raw, { convert: true });
    if (checked.error) problems.push(`${name}=${JSON.stringify(raw)} is invalid: expected ${rule.expected}`);
    else value[name] = checked.value;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    maxResultBytes: (value.RESULT_MAX_BYTES as number | undefined) ?? DEFAULT_GATEWAY_CONFIG.maxResultBytes,
    campaignWaitMs: (value.CAMPAIGN_WAIT_MS as number | undefined) ?? DEFAULT_GATEWAY_CONFIG.campaignWaitMs,
    maxWatcherBufferBytes: (value.WATCHER_BUFFER_BYTES as number | undefined) ?? DEFAULT_GATEWAY_CONFIG.maxWatcherBufferBytes,
    campaignPollMs: (value.CAMPAIGN_POLL_MS as number | undefined) ?? DEFAULT_GATEWAY_CONFIG.campaignPollMs,
    topicPartitions: (value.RESULTS_TOPIC_PARTITIONS as number | undefined) ?? DEFAULT_GATEWAY_CONFIG.topicPartitions,
    peersPollMs: (value.GATEWAY_PEERS_POLL_MS as number | undefined) ?? DEFAULT_GATEWAY_CONFIG.peersPollMs,
    instanceId: (value.GATEWAY_INSTANCE_ID as string | undefined) ?? `gateway-${randomUUID()}`,
  };
}
