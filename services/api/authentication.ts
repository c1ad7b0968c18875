/**
 * The operator API's authentication lives in shared/auth/authenticator.ts (the results gateway
 * authenticates watchers with the same sessions); re-exported here for the api's modules.
 */
export * from '../../shared/auth/authenticator';
