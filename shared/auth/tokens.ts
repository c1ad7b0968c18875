/** Bearer tokens: random, handed out once, stored only as their SHA-256. */
import { hash, randomBytes } from 'node:crypto';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The SHA-256 of the token, in hex (crypto.hash: one call, about half createHash's cost). */
export function tokenHash(token: string): string {
  return hash('sha256', token, 'hex');
}
