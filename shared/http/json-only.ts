/**
 * The operator API reads a body only when it is declared `application/json`. A browser may send
 * `text/plain`, form-encoded or multipart bodies to any origin without a CORS preflight; were
 * those parsed as JSON, a page open in an operator's browser could post to the API (a cross-site
 * `POST /api/v1/setup` on a fresh server did). So a request that carries a body of any other type
 * is refused with 415 before any route runs; `application/json` is never sent cross-site without a
 * preflight, which this API does not grant.
 */
import type { RequestHandler } from 'express';
import { sendFleetError } from './fleet-errors';

/** True when the request carries a body (a Content-Length above 0, or chunked transfer). */
function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = Number(headers['content-length'] ?? 0);
  return !Number.isFinite(length) || length > 0;
}

export const requireJsonBodies: RequestHandler = (req, res, next) => {
  if (!hasBody(req.headers) || req.is('application/json')) return next();
  const declared = req.headers['content-type'];
  const reason = declared ? `the request body must be application/json, not ${String(declared).slice(0, 100)}` : 'the request body must be declared Content-Type: application/json';
  req.resume();
  sendFleetError(res, 415, 'Unsupported Media Type', [{ name: 'base', reason }]);
};
