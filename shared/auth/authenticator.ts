/**
 * Bearer-token authentication for /api/v1/fleet/*, the shell broker's operator side and the
 * results gateway's watchers: the token's hash is looked up in the sessions read model, then its
 * user. Recent look-ups are cached for a moment (a logout, role change or deletion made in this
 * process clears its entries at once; another instance's is cleared when its revocation feed
 * sees the event, and at the latest when the cache's lifetime ends).
 */
import type { RequestHandler, Response } from 'express';
import { tokenHash } from './tokens';
import { DomainError } from '../domain/errors';
import type { Actor } from '../ports/event-store';
import { SESSIONS, USERS, type SessionDoc, type UserDoc } from '../read-models/read-model-types';
import type { ReadModels } from '../read-models/read-models';

const CACHE_MS = 2_000;
const MAX_CACHED = 10_000;

export interface AuthenticatedUser extends UserDoc {
  token: string;
}

export function currentUser(res: Response): AuthenticatedUser {
  return res.locals.user as AuthenticatedUser;
}

export function actorOf(user: UserDoc): Actor {
  return { type: 'user', id: String(user.id), email: user.email, name: user.name };
}

export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1] : null;
}

/** A valid session: its user, and what LiveSockets needs to end its sockets with it. */
export interface AuthenticatedSession {
  user: UserDoc;
  tokenHash: string;
  /** ms since the epoch */
  expiresAt: number;
}

export class Authenticator {
  private readonly cache = new Map<string, { user: UserDoc; expiresAt: number; cachedAt: number }>();

  constructor(private readonly readModels: ReadModels) {}

  async userForToken(token: string): Promise<UserDoc | null> {
    return (await this.sessionForToken(token))?.user ?? null;
  }

  async sessionForToken(token: string): Promise<AuthenticatedSession | null> {
    const hash = tokenHash(token);
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && now - cached.cachedAt < CACHE_MS && now < cached.expiresAt) return { user: cached.user, tokenHash: hash, expiresAt: cached.expiresAt };
    const session = await this.readModels.collection<SessionDoc>(SESSIONS).get(hash);
    const expiresAt = session ? Date.parse(session.expires_at) : 0;
    if (!session || expiresAt <= now) return null;
    const user = await this.readModels.collection<UserDoc>(USERS).get(String(session.user_id));
    if (!user) return null;
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(hash, { user, expiresAt, cachedAt: now });
    return { user, tokenHash: hash, expiresAt };
  }

  forget(token: string): void {
    this.forgetHash(tokenHash(token));
  }

  forgetHash(hash: string): void {
    this.cache.delete(hash);
  }

  /** This user changed (role, name) or was deleted: their sessions' next look-up reads them afresh. */
  forgetUser(userId: number): void {
    this.forgetUsers((user) => user.id === userId);
  }

  forgetUsers(which: (user: UserDoc) => boolean): void {
    for (const [hash, entry] of this.cache) if (which(entry.user)) this.cache.delete(hash);
  }

  requireUser(): RequestHandler {
    return async (req, res, next) => {
      const token = bearerToken(req.headers.authorization);
      const user = token ? await this.userForToken(token) : null;
      if (!user || !token) throw new DomainError('unauthorized', 'Authentication required');
      res.locals.user = { ...user, token } satisfies AuthenticatedUser;
      next();
    };
  }
}
