import type { Config } from '../../shared/config/config';
import type { AggregateLoader } from '../../shared/eventsourcing/aggregate-loader';
import { commandContext, type CommandContext } from '../../shared/eventsourcing/metadata';
import type { Logger } from '../../shared/observability/logger';
import type { EventStore } from '../../shared/ports/event-store';
import type { ResultsBus } from '../../shared/ports/results-bus';
import type { ReadModels } from '../../shared/read-models/read-models';
import type { Request, Response } from 'express';
import { actorOf, currentUser, type Authenticator } from '../../shared/auth/authenticator';
import { requestIdOf } from '../../shared/http/request-id';

/** What the API tells about the TLS listener serving it (the all-in-one process's; absent behind a proxy that terminates TLS). */
export interface ServerTlsInfo {
  /** PEM: the certificates the listener serves, then the local CA when Logbook made them. */
  chainPem: string;
  /** The HTTPS port once listening (null before). */
  port(): number | null;
}

export interface ApiDeps {
  store: EventStore;
  loader: AggregateLoader;
  readModels: ReadModels;
  authenticator: Authenticator;
  config: Pick<Config, 'readYourWritesTimeoutMs' | 'sessionTtlHours' | 'loginThrottle' | 'trustedProxies' | 'bodyLimitBytes' | 'campaignExpirySeconds' | 'resultsRetentionDays' | 'hostDetailIntervalSeconds' | 'hostPolicyIntervalSeconds'>;
  logger: Logger;
  /**
   * The results bus, where this instance has one (for the live query status check); a watched
   * one (openResultsBus) also tells its last known problem, and new campaigns are refused then.
   */
  resultsBus?: ResultsBus & { problem?(): string | null };
  serverTls?: ServerTlsInfo;
}

/**
 * The id that correlates a request's events: a client's X-Request-Id when it sent a sane one,
 * else the request's own id (the `uuid` of a 500 answer to the same request).
 */
export function correlationId(req: Request, res: Response): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w-]{8,64}$/.test(given) ? given : requestIdOf(res);
}

export function userCommandContext(req: Request, res: Response): CommandContext {
  return commandContext(actorOf(currentUser(res)), correlationId(req, res));
}

/**
 * Read-your-writes: answer a command once the read models show its append, waiting at most the
 * configured time. The write is durable either way; a time-out is logged, not reported as failure.
 */
export async function awaitReadModels(deps: ApiDeps, position: number | null): Promise<void> {
  if (position === null) return;
  const caughtUp = await deps.readModels.waitForPosition(position, deps.config.readYourWritesTimeoutMs);
  if (!caughtUp) deps.logger.warn({ position }, 'read models did not catch up with a write in time');
}
