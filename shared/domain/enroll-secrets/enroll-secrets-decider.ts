/** The global enroll secrets: one aggregate, replaced whole by each apply. */
import { unexpectedEvent, type Decider } from '../decider';
import { invalid } from '../errors';
import type { EnrollSecret } from '../specs/spec-types';
import { ENROLL_SECRETS_REPLACED, type EnrollSecretsEvent } from './enroll-secrets-events';

export const GLOBAL_ENROLL_SECRETS_STREAM = 'enroll_secrets-global';

export interface EnrollSecretsState {
  secrets: EnrollSecret[];
}

export interface ReplaceEnrollSecrets {
  secrets: string[];
  /** ISO time stamped on secrets that are new. */
  now: string;
}

/** Replaces the secrets; a secret kept from before keeps its created_at. Nothing changes → no event. */
function decideReplaceEnrollSecrets(command: ReplaceEnrollSecrets, state: EnrollSecretsState): EnrollSecretsEvent[] {
  const seen = new Set<string>();
  for (const secret of command.secrets) {
    if (seen.has(secret)) throw invalid('secrets', 'the same enroll secret is listed twice');
    seen.add(secret);
  }
  const before = new Map(state.secrets.map((entry) => [entry.secret, entry]));
  const secrets = command.secrets.map((secret) => before.get(secret) ?? { secret, created_at: command.now });
  const added = command.secrets.filter((secret) => !before.has(secret)).length;
  const removed = state.secrets.filter((entry) => !seen.has(entry.secret)).length;
  const reordered = JSON.stringify(secrets) !== JSON.stringify(state.secrets);
  if (added === 0 && removed === 0 && !reordered) return [];
  return [{ type: ENROLL_SECRETS_REPLACED, data: { secrets, added, removed } }];
}

export const enrollSecretsDecider: Decider<ReplaceEnrollSecrets, EnrollSecretsState, EnrollSecretsEvent> = {
  initialState: { secrets: [] },
  decide: decideReplaceEnrollSecrets,
  evolve(_state, event) {
    switch (event.type) {
      case ENROLL_SECRETS_REPLACED:
        return { secrets: event.data.secrets };
      default:
        return unexpectedEvent(event.type);
    }
  },
};
