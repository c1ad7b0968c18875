/**
 * Express middleware, mounted right after the JSON body parser, that refuses a body outside the
 * given bounds (see json-bounds.ts) before any route sees it.
 *
 * Status 422, not 400: the body is well-formed JSON (a malformed one already got 400 from the
 * parser), and what is wrong is its content, as with joi's own limits (a 256-character name is
 * 422). Clients thus see one status for "a value is out of bounds", whichever check caught it.
 */
import type { RequestHandler } from 'express';
import { sendFleetError } from './fleet-errors';
import { checkJsonBounds, type JsonBounds } from './json-bounds';

export function boundedJsonBody(bounds: JsonBounds): RequestHandler {
  return (req, res, next) => {
    const found = checkJsonBounds(req.body, bounds);
    if (found === null) return next();
    sendFleetError(res, 422, 'Validation Failed', [{ name: found.path === '' ? 'base' : found.path, reason: found.reason }]);
  };
}
