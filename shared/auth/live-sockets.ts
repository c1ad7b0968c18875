/**
 * The authenticated sockets of this process (results watchers, shell operators), by the SHA-256
 * of the token they authenticated with (shared/auth/tokens.ts), so that the end of a session
 * reaches them: `revokeToken` (a logout seen in the event log) ends every socket of that token,
 * and each registration ends by itself when its session expires.
 *
 * Invariants: a registration's `onEnd` is called at most once, and never after `unregister`; a
 * token revoked here is refused by `register` afterwards (its session doc may still be in the
 * read model for a moment, until the projector deletes it), for `REMEMBER_REVOKED_MS`, and at
 * most `MAX_REMEMBERED` revoked tokens are remembered (the oldest are forgotten first).
 */
import { MAX_TIMER_MS } from '../config/parsers';

const REMEMBER_REVOKED_MS = 10 * 60_000;
const MAX_REMEMBERED = 100_000;

export interface SocketSession {
  tokenHash: string;
  /** When the session expires (ms since the epoch). */
  expiresAt: number;
}

export interface Registration {
  /** The socket closed on its own: forget it. Idempotent. */
  unregister(): void;
}

type EndReason = 'logged out' | 'expired' | 'changed role';

interface Entry {
  onEnd(reason: EndReason): void;
  timer: NodeJS.Timeout;
}

export class LiveSockets {
  private readonly byToken = new Map<string, Set<Entry>>();
  /** Revoked token hashes and when they were revoked, oldest first (Map keeps insertion order). */
  private readonly revoked = new Map<string, number>();

  /** Registers an authenticated socket; null when its token was revoked or its session is over. */
  register(session: SocketSession, onEnd: (reason: EndReason) => void): Registration | null {
    if (this.wasRevoked(session.tokenHash) || session.expiresAt <= Date.now()) return null;
    const entry: Entry = { onEnd, timer: this.expiryTimer(session, () => this.end(session.tokenHash, entry, 'expired')) };
    let entries = this.byToken.get(session.tokenHash);
    if (!entries) this.byToken.set(session.tokenHash, (entries = new Set()));
    entries.add(entry);
    return { unregister: () => this.remove(session.tokenHash, entry) };
  }

  /** The session of this token ended (logout): every socket of it ends. */
  revokeToken(tokenHash: string): void {
    this.remember(tokenHash);
    for (const entry of [...(this.byToken.get(tokenHash) ?? [])]) this.end(tokenHash, entry, 'logged out');
  }

  /**
   * The user of this token changed role: every socket of it ends, so that a reconnect (with the
   * same token, which stays valid and is not remembered as revoked) is authorized anew.
   */
  endSocketsOf(tokenHash: string): void {
    for (const entry of [...(this.byToken.get(tokenHash) ?? [])]) this.end(tokenHash, entry, 'changed role');
  }

  /** Sockets registered now (for tests and metrics). */
  get size(): number {
    let count = 0;
    for (const entries of this.byToken.values()) count += entries.size;
    return count;
  }

  /** Ends every registration's timer (the process is stopping); no onEnd is called. */
  close(): void {
    for (const [hash, entries] of [...this.byToken]) for (const entry of [...entries]) this.remove(hash, entry);
  }

  private end(tokenHash: string, entry: Entry, reason: EndReason): void {
    if (this.remove(tokenHash, entry)) entry.onEnd(reason);
  }

  private remove(tokenHash: string, entry: Entry): boolean {
    const entries = this.byToken.get(tokenHash);
    if (!entries?.delete(entry)) return false;
    clearTimeout(entry.timer);
    if (entries.size === 0) this.byToken.delete(tokenHash);
    return true;
  }

  /** Fires at the session's expiry; a session longer than Node's longest timer re-arms. */
  private expiryTimer(session: SocketSession, expire: () => void): NodeJS.Timeout {
    const wait = session.expiresAt - Date.now();
    const timer = setTimeout(() => {
      if (Date.now() >= session.expiresAt) return expire();
      const entry = [...(this.byToken.get(session.tokenHash) ?? [])].find((candidate) => candidate.timer === timer);
      if (entry) entry.timer = this.expiryTimer(session, expire);
    }, Math.max(0, Math.min(wait, MAX_TIMER_MS)));
    timer.unref();
    return timer;
  }

  private remember(tokenHash: string): void {
    this.revoked.delete(tokenHash);
    this.revoked.set(tokenHash, Date.now());
    this.forgetOld();
  }

  private wasRevoked(tokenHash: string): boolean {
    this.forgetOld();
    return this.revoked.has(tokenHash);
  }

  private forgetOld(): void {
    const cutoff = Date.now() - REMEMBER_REVOKED_MS;
    for (const [hash, at] of this.revoked) {
      if (at > cutoff && this.revoked.size <= MAX_REMEMBERED) break;
      this.revoked.delete(hash);
    }
  }
}
