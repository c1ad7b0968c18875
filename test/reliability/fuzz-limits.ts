/** The body limits the fuzzed server is started with (small, so that over-limit bodies are cheap). */
export const OPERATOR_BODY_LIMIT = 64 * 1024;
export const AGENT_BODY_LIMIT = 256 * 1024;
export const FUZZ_SERVER_ENV = { BODY_LIMIT: String(OPERATOR_BODY_LIMIT), AGENT_BODY_LIMIT: String(AGENT_BODY_LIMIT), SHELL_SECRET_TTL_MS: '600000',
  // Once a bad request has stopped the projector, every command waits this long: keep runs short.
  READ_YOUR_WRITES_TIMEOUT_MS: '2000' };
