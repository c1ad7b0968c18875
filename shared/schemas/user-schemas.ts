/** Request bodies of setup, login and user creation, as Fleet's clients send them. */
import Joi from 'joi';
import { GLOBAL_ROLES } from '../domain/users/roles';

const email = Joi.string().email({ tlds: false }).max(255);
const name = Joi.string().min(1).max(255).pattern(/\S/, 'not blank');

/** Fleet's rule: at least 12 characters, a number and a symbol. */
const passwordSchema = Joi.string()
  .min(12)
  .max(128)
  .pattern(/[0-9]/, 'a number')
  .pattern(/[^A-Za-z0-9]/, 'a symbol')
  .messages({
    'string.min': 'password must be at least 12 characters long',
    'string.pattern.name': 'password must contain {#name}',
  });

export const setupBody = Joi.object({
  admin: Joi.object({
    email: email.required(),
    password: passwordSchema.required(),
    password_confirmation: Joi.string().valid(Joi.ref('password')).messages({ 'any.only': 'passwords do not match' }),
    name: name.required(),
  }).required(),
  org_info: Joi.object({
    org_name: name.required(),
    org_logo_url: Joi.string().allow('').max(2048),
  }).required(),
  server_url: Joi.string().uri({ scheme: ['http', 'https'] }).max(2048).required(),
});

export const loginBody = Joi.object({
  email: Joi.string().min(1).max(255).required(),
  password: Joi.string().min(1).max(1024).required(),
});

export const createUserBody = Joi.object({
  name: name.required(),
  email: email.required(),
  password: passwordSchema.required(),
  global_role: Joi.string().valid(...GLOBAL_ROLES).required(),
  sso_enabled: Joi.boolean().valid(false),
  api_only: Joi.boolean(),
  // fleetctl user create sends Fleet's UserPayload: `teams` is a nil Go slice (null) for a global
  // user, and `admin_forced_password_reset` is set (Logbook has no password reset flow: see README).
  teams: Joi.array().length(0).allow(null),
  admin_forced_password_reset: Joi.boolean(),
  gravatar_url: Joi.string().allow('').max(2048),
  position: Joi.string().allow('').max(255),
});

/**
 * PATCH /users/{id}, as Fleet's UserPayload: `name` and `global_role` are changed; `email` only
 * as it is (a user's stream is named by it); global users only (`teams` null or empty).
 */
export const modifyUserBody = Joi.object({
  name: name,
  email: email,
  global_role: Joi.string().valid(...GLOBAL_ROLES),
  teams: Joi.array().length(0).allow(null),
  position: Joi.string().allow('').max(255),
  gravatar_url: Joi.string().allow('').max(2048),
});

/** The most users one `user_roles` spec may name. */
export const MAX_USER_ROLES = 1_000;

/** POST /users/roles/spec, as fleetctl apply sends a `kind: user_roles` document. */
export const userRolesSpecBody = Joi.object({
  spec: Joi.object({
    roles: Joi.object()
      .pattern(
        Joi.string().min(1).max(255),
        Joi.object({ global_role: Joi.string().valid(...GLOBAL_ROLES).required(), teams: Joi.array().length(0).allow(null) }),
      )
      .max(MAX_USER_ROLES)
      .required(),
  }).required(),
});

/** A user's id in a path (GET, PATCH, DELETE /users/{id}). */
export const userIdParam = Joi.number().integer().min(1).max(Number.MAX_SAFE_INTEGER).required();
