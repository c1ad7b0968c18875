/**
 * Errors a decider or command handler raises for the caller to see. The HTTP layer maps each
 * kind to Fleet's status code and error shape.
 */
export type DomainErrorKind = 'validation' | 'not_found' | 'gone' | 'conflict' | 'forbidden' | 'unauthorized' | 'bad_request' | 'unavailable' | 'too_many_requests';

export interface FieldProblem {
  name: string;
  reason: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    readonly problems: FieldProblem[] = [{ name: 'base', reason: message }],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Refused for now, not for good: the caller may try again after `retryAfterSeconds` (429, Retry-After). */
export class TooManyRequests extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('too_many_requests', message);
    this.name = 'TooManyRequests';
  }
}

export const invalid = (name: string, reason: string) => new DomainError('validation', reason, [{ name, reason }]);
export const notFound = (what: string) => new DomainError('not_found', `${what} was not found`, [{ name: 'base', reason: `${what} was not found` }]);
/** Fleet's datastore not-found (datastore/mysql notFound(...).WithID): `Policy 7 was not found in the datastore`. */
export const notFoundInDatastore = (resource: string, id: number | string) => {
  const reason = `${resource} ${id} was not found in the datastore`;
  return new DomainError('not_found', reason, [{ name: 'base', reason }]);
};
export const forbidden = (reason = 'forbidden') => new DomainError('forbidden', reason);
