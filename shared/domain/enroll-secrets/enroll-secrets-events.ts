/** Events of the global enroll secrets' stream. Persisted: never change them. */
import type { EnrollSecret } from '../specs/spec-types';

export const ENROLL_SECRETS_REPLACED = 'EnrollSecretsReplaced';
export interface EnrollSecretsReplaced {
  secrets: EnrollSecret[];
  added: number;
  removed: number;
}

export type EnrollSecretsEvent = { type: typeof ENROLL_SECRETS_REPLACED; data: EnrollSecretsReplaced };

export const ENROLL_SECRETS_EVENT_TYPES = [ENROLL_SECRETS_REPLACED] as const;

export function isEnrollSecretsEventType(type: string): type is EnrollSecretsEvent['type'] {
  return (ENROLL_SECRETS_EVENT_TYPES as readonly string[]).includes(type);
}
