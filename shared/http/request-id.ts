/**
 * The request's id: generated here, once per request and on first use, and kept in res.locals, so
 * that every use within one request (a 500 answer's `uuid`, its log line, the correlation id of
 * the events it appends) sees the same id. Never taken from the client: a client's X-Request-Id
 * is only ever an additional correlation id (see services/api/api-deps.ts).
 */
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';

export function requestIdOf(res: Response): string {
  const assigned = res.locals.requestId;
  if (typeof assigned === 'string') return assigned;
  const id = randomUUID();
  res.locals.requestId = id;
  return id;
}
