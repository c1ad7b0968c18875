import type Joi from 'joi';
import { DomainError, type FieldProblem } from '../domain/errors';

function problemsOf(error: Joi.ValidationError, nameOfWhole: string): FieldProblem[] {
  return error.details.map((detail) => ({
    name: detail.path.length > 0 ? detail.path.join('.') : nameOfWhole,
    reason: detail.message.replace(/"/g, "'"),
  }));
}

/**
 * Validates input with a joi schema: the value with defaults filled in, or a validation error
 * naming every problem (Fleet's 422 with `errors[{name, reason}]`).
 */
export function validate<T>(schema: Joi.Schema, input: unknown): T {
  const { error, value } = schema.validate(input, { abortEarly: false, convert: false });
  if (error) {
    const problems = problemsOf(error, 'base');
    throw new DomainError('validation', problems.map((problem) => problem.reason).join('; '), problems);
  }
  return value as T;
}

/**
 * Validates query-string or path parameters (strings, converted to the schema's types): the
 * value, or Fleet's 400 naming every problem (`nameOfWhole` names a problem with the value itself).
 */
export function validateParameters<T>(schema: Joi.Schema, input: unknown, nameOfWhole = 'base'): T {
  const { error, value } = schema.validate(input, { abortEarly: false, convert: true });
  if (error) throw new DomainError('bad_request', error.message, problemsOf(error, nameOfWhole));
  return value as T;
}
