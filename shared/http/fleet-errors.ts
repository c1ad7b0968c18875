/**
 * Fleet's error JSON: `{"message": "...", "errors": [{"name": "...", "reason": "..."}]}` with
 * Fleet's status codes. Every error leaving the operator API goes through here, so nothing
 * answers with an HTML page or a bare 500. An unexpected error (500) also carries, as Fleet's
 * does, the request's id in `uuid`: the same id is on the error's log line, so an operator's
 * report of a 500 leads to its stack trace.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { DomainError, TooManyRequests, type DomainErrorKind, type FieldProblem } from '../domain/errors';
import type { Logger } from '../observability/logger';
import { requestIdOf } from './request-id';

export interface FleetErrorBody {
  message: string;
  errors: FieldProblem[];
  /** The request's id, on 500 answers only. */
  uuid?: string;
}

const STATUS_AND_MESSAGE: Record<DomainErrorKind, [number, string]> = {
  validation: [422, 'Validation Failed'],
  bad_request: [400, 'Bad request'],
  unauthorized: [401, 'Authentication required'],
  forbidden: [403, 'Permission Denied'],
  not_found: [404, 'Resource Not Found'],
  gone: [410, 'Gone'],
  conflict: [409, 'Resource Already Exists'],
  unavailable: [503, 'Service Unavailable'],
  too_many_requests: [429, 'Too Many Requests'],
};

export function sendFleetError(res: Response, status: number, message: string, errors: FieldProblem[], uuid?: string): void {
  res.status(status).json((uuid === undefined ? { message, errors } : { message, errors, uuid }) satisfies FleetErrorBody);
}

/** body-parser's error types, and what a Fleet client should see for each. */
const BODY_ERRORS: Record<string, [number, string, (error: { limit?: number }) => string]> = {
  'entity.parse.failed': [400, 'Bad request', () => 'the request body is not valid JSON'],
  'entity.too.large': [413, 'Payload Too Large', (error) => `the request body is larger than the limit of ${error.limit} bytes`],
  'encoding.unsupported': [415, 'Unsupported Media Type', () => 'the request body encoding is not supported'],
  'charset.unsupported': [415, 'Unsupported Media Type', () => 'the request body charset is not supported'],
  'request.aborted': [400, 'Bad request', () => 'the request body was cut short'],
  'request.size.invalid': [400, 'Bad request', () => 'the request body is shorter than its Content-Length'],
};

/**
 * An error a library raised about the request itself (http-errors' shape: a 4xx `status` or
 * `statusCode`): a corrupt gzip or brotli body, a path segment that is not valid percent-encoding,
 * a static file that is missing or outside its folder. The client's mistake, so a 4xx in Fleet's
 * shape and no error log line; the message is the library's only when it marks it safe to show.
 */
function clientErrorOf(error: unknown): { status: number; reason: string } | null {
  if (typeof error !== 'object' || error === null) return null;
  const { status, statusCode, expose, message } = error as { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown };
  const code = typeof status === 'number' ? status : statusCode;
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 400 || code > 499) return null;
  if (error instanceof URIError) return { status: 400, reason: 'the request path is not valid percent-encoding' };
  if ((error as { code?: unknown }).code === 'Z_DATA_ERROR' || /decompress/i.test(String(message))) {
    return { status: 400, reason: 'the request body does not match its Content-Encoding' };
  }
  return { status: code, reason: expose === true && typeof message === 'string' ? message : 'the request was refused' };
}

const CLIENT_ERROR_MESSAGES: Record<number, string> = { 400: 'Bad request', 403: 'Permission Denied', 404: 'Resource Not Found', 405: 'Method Not Allowed', 413: 'Payload Too Large', 415: 'Unsupported Media Type' };

/** The error middleware: DomainErrors and body-parser errors as their status; anything else logged at error level and answered 500. */
export function fleetErrorHandler(logger: Pick<Logger, 'error'>): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    if (error instanceof DomainError) {
      const [status, message] = STATUS_AND_MESSAGE[error.kind];
      if (error instanceof TooManyRequests) res.setHeader('Retry-After', String(error.retryAfterSeconds));
      return sendFleetError(res, status, message, error.problems);
    }
    const bodyError = typeof error?.type === 'string' ? BODY_ERRORS[error.type] : undefined;
    if (bodyError) {
      const [status, message, reason] = bodyError;
      return sendFleetError(res, status, message, [{ name: 'base', reason: reason(error) }]);
    }
    const clientError = clientErrorOf(error);
    if (clientError) {
      return sendFleetError(res, clientError.status, CLIENT_ERROR_MESSAGES[clientError.status] ?? 'Bad request', [{ name: 'base', reason: clientError.reason }]);
    }
    const uuid = requestIdOf(res);
    logger.error({ err: error, uuid, method: req.method, path: req.path }, 'request failed');
    sendFleetError(res, 500, 'Internal Server Error', [{ name: 'base', reason: 'an unexpected error happened; it has been logged' }], uuid);
  };
}

export const fleetNotFound: RequestHandler = (req, res) => {
  sendFleetError(res, 404, 'Resource Not Found', [{ name: 'base', reason: `no route for ${req.method} ${req.path}` }]);
};
