/** The error middleware with a fake request and response, and a pino logger whose lines are captured. */
import assert from 'node:assert/strict';
import type { NextFunction, Request, Response } from 'express';
import { DomainError, TooManyRequests } from '../../shared/domain/errors';
import { fleetErrorHandler } from '../../shared/http/fleet-errors';
import { requestIdOf } from '../../shared/http/request-id';
import { createLogger } from '../../shared/observability/logger';

interface FakeResponse {
  headersSent: boolean;
  locals: Record<string, unknown>;
  statusCode?: number;
  body?: any;
  headers: Record<string, string>;
  setHeader(name: string, value: string): FakeResponse;
  status(code: number): FakeResponse;
  json(body: unknown): FakeResponse;
}

function fakeResponse(): FakeResponse {
  return {
    headersSent: false,
    locals: {},
    headers: {},
    setHeader(name, value) {
      this.headers[name.toLowerCase()] = value;
      return this;
    },
    status(code) {
      this.statusCode = code;
      return this;
    },
    json(body) {
      this.body = body;
      return this;
    },
  };
}

function handle(error: unknown, res = fakeResponse()): { res: FakeResponse; lines: Array<Record<string, any>> } {
  const lines: Array<Record<string, any>> = [];
  const logger = createLogger('info', 'test', { write: (line: string) => void lines.push(JSON.parse(line)) });
  const req = { method: 'POST', path: '/api/v1/fleet/spec/queries', headers: {} } as unknown as Request;
  const next: NextFunction = (passed) => assert.fail(`next(${String(passed)}) called`);
  fleetErrorHandler(logger)(error, req, res as unknown as Response, next);
  return { res, lines };
}

describe('fleetErrorHandler', () => {
  it('answers an unexpected error 500 with the request id as uuid, logged on the error line', () => {
    const { res, lines } = handle(new Error('disk on fire'));
    assert.equal(res.statusCode, 500);
    assert.equal(typeof res.body.uuid, 'string');
    assert.deepEqual(res.body, { message: 'Internal Server Error', errors: [{ name: 'base', reason: 'an unexpected error happened; it has been logged' }], uuid: res.body.uuid });
    assert.equal(lines.length, 1);
    assert.equal(lines[0].level, 'error');
    assert.equal(lines[0].msg, 'request failed');
    assert.equal(lines[0].uuid, res.body.uuid);
    assert.equal(lines[0].err.message, 'disk on fire');
    assert.equal(lines[0].path, '/api/v1/fleet/spec/queries');
  });

  it('uses the id the request already has (the one its events are correlated with)', () => {
    const res = fakeResponse();
    const assigned = requestIdOf(res as unknown as Response);
    const { lines } = handle(new Error('boom'), res);
    assert.equal(res.body.uuid, assigned);
    assert.equal(lines[0].uuid, assigned);
  });

  it('gives each request its own id', () => {
    assert.notEqual(handle(new Error('a')).res.body.uuid, handle(new Error('b')).res.body.uuid);
  });

  it('answers expected errors with their status, no uuid and no log line', () => {
    const { res, lines } = handle(new DomainError('forbidden', 'observers can read specs but not apply them'));
    assert.equal(res.statusCode, 403);
    assert.deepEqual(res.body, { message: 'Permission Denied', errors: [{ name: 'base', reason: 'observers can read specs but not apply them' }] });
    assert.equal(lines.length, 0);
  });

  it('answers too many requests 429 with Retry-After in seconds', () => {
    const { res, lines } = handle(new TooManyRequests('too many failed logins; try again in 42 s', 42));
    assert.equal(res.statusCode, 429);
    assert.equal(res.headers['retry-after'], '42');
    assert.deepEqual(res.body, { message: 'Too Many Requests', errors: [{ name: 'base', reason: 'too many failed logins; try again in 42 s' }] });
    assert.equal(lines.length, 0);
  });

  it('sends no Retry-After with other errors', () => {
    assert.deepEqual(handle(new DomainError('unauthorized', 'Authentication failed')).res.headers, {});
  });
});
