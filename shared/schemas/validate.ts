import type Joi from 'joi';
import { DomainError } from '../domain/errors';

/**
 * Validates input with a joi schema: the value with defaults filled in, or a validation error
 * naming every problem (Fleet's 422 with `errors[{name, reason}]`).
 */
export function validate<T>(schema: Joi.Schema, input: unknown): T {
  const { error, value } = schema.validate(input, { abortEarly: false, convert: false });
  if (error) {
    const problems = error.details.map((detail) => ({
      name: detail.path.length > 0 ? detail.path.join('.') : 'base',
      reason: detail.message.replace(/"/g, "'"),
    }));
    throw new DomainError('validation', problems.map((problem) => problem.reason).join('; '), problems);
  }
  return value as T;
}
