/**
 * The session broker: creates sessions on an operator's request, hands their secrets to the host's
 * launcher on its next poll (once), pairs the launcher's and the operator's WebSockets, and records
 * every step in the session's stream.
 *
 * Live sessions are held in memory where their sockets are. With several brokers (a shared
 * relay, shared/ports/shell-relay.ts) a new session's secret is told to every broker, so the
 * launcher may poll any of them (the one that hands it out tells the others to drop it), and a
 * side may join at a broker that has not seen the session yet: it loads the session's stream
 * (who, which host, until when) and the relay pairs it with the other side wherever that is.
 * A broker's death ends the sessions it carried, at both ends. Alone (the local relay), a broker
 * knows every live session: one it does not hold is refused, as after a restart.
 */
import { randomUUID } from 'node:crypto';
import { newToken } from '../../shared/auth/tokens';
import type { ShellOperator } from '../../shared/domain/shells/shell-events';
import { SYSTEM_ACTOR } from '../../shared/eventsourcing/metadata';
import type { Logger } from '../../shared/observability/logger';
import { DomainError } from '../../shared/domain/errors';
import type { ShellHost } from '../../shared/ports/shell-hosts';
import { localShellRelay, type RelayHandlers, type RelayMessage, type ShellRelay } from '../../shared/ports/shell-relay';
import { LiveSession, CLOSE_CODES, type SessionClose } from './live-session';
import { hostActor, operatorActor, type ShellCommands } from './shell-commands';

const HEARTBEAT_MS = 20_000;
/** Sessions one broker holds at once, and secrets it keeps waiting for their launchers. */
export const MAX_LIVE_SESSIONS = 1_000;
const MAX_UNCOLLECTED = 1_000;

export interface ShellSecretHandout {
  session_id: string;
  secret: string;
}

interface Uncollected extends ShellSecretHandout {
  expires_at: number;
}

export interface ShellBrokerSettings {
  secretTtlMs: number;
  idleTimeoutMs: number;
}

export class ShellBroker {
  private readonly live = new Map<string, LiveSession>();
  /** Secrets not yet collected by their host's launcher, by host id. */
  private readonly uncollected = new Map<number, Uncollected[]>();
  private uncollectedCount = 0;
  private relay: ShellRelay = localShellRelay();
  /** Sessions being loaded from their streams, so two joins at once load once. */
  private readonly loading = new Map<string, Promise<LiveSession | null>>();
  private readonly shellEnabledHosts = new Set<number>();
  private readonly lastPollAt = new Map<number, string>();
  private readonly recording = new Set<Promise<unknown>>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    readonly commands: ShellCommands,
    private readonly settings: ShellBrokerSettings,
    private readonly logger: Logger,
  ) {
    this.heartbeat = setInterval(() => {
      this.live.forEach((session) => session.heartbeat());
      for (const hostId of [...this.uncollected.keys()]) this.dropUncollected(hostId, ''); // drops the expired ones
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** A launcher's poll: the first one enables remote shells for its host; answers the secrets waiting for it. */
  async poll(host: ShellHost): Promise<ShellSecretHandout[]> {
    this.lastPollAt.set(host.id, new Date().toISOString());
    if (!this.shellEnabledHosts.has(host.id)) {
      await this.commands.recordShellPoll(host);
      this.shellEnabledHosts.add(host.id);
    }
    const now = Date.now();
    const waiting = this.takeUncollected(host.id).filter((handout) => handout.expires_at > now);
    for (const handout of waiting) void this.relay.publish({ kind: 'collected', session_id: handout.session_id, host_id: host.id }).catch(() => undefined);
    return waiting.map(({ session_id, secret }) => ({ session_id, secret }));
  }

  /** The relay this broker talks to the others through (the local relay until one is given). */
  useRelay(relay: ShellRelay): void {
    this.relay = relay;
  }

  readonly relayHandlers: RelayHandlers = {
    onMessage: (message, from) => this.onRelay(message, from),
    onBrokerLost: (brokerId) => this.live.forEach((session) => session.brokerLost(brokerId)),
  };

  private onRelay(message: RelayMessage, from: string): void {
    switch (message.kind) {
      case 'handout':
        return this.addUncollected(message.host_id, { session_id: message.session_id, secret: message.secret, expires_at: message.expires_at });
      case 'collected':
        return this.dropUncollected(message.host_id, message.session_id);
      default:
        this.live.get(message.session_id)?.onRelay(message, from);
    }
  }

  private takeUncollected(hostId: number): Uncollected[] {
    const waiting = this.uncollected.get(hostId) ?? [];
    this.uncollected.delete(hostId);
    this.uncollectedCount -= waiting.length;
    return waiting;
  }

  private addUncollected(hostId: number, handout: Uncollected): void {
    const now = Date.now();
    const waiting = this.takeUncollected(hostId).filter((candidate) => candidate.expires_at > now && candidate.session_id !== handout.session_id);
    if (this.uncollectedCount + waiting.length < MAX_UNCOLLECTED) waiting.push(handout);
    if (waiting.length > 0) this.uncollected.set(hostId, waiting);
    this.uncollectedCount += waiting.length;
  }

  private dropUncollected(hostId: number, sessionId: string): void {
    const now = Date.now();
    const waiting = this.takeUncollected(hostId).filter((handout) => handout.session_id !== sessionId && handout.expires_at > now);
    if (waiting.length > 0) this.uncollected.set(hostId, waiting);
    this.uncollectedCount += waiting.length;
  }

  lastPollOf(hostId: number): string | null {
    return this.lastPollAt.get(hostId) ?? null;
  }

  async requestShell(host: ShellHost, operator: ShellOperator & { name?: string }): Promise<{ sessionId: string; position: number | null }> {
    if (this.live.size >= MAX_LIVE_SESSIONS) throw new DomainError('too_many_requests', `this shell broker holds ${MAX_LIVE_SESSIONS} sessions already; try again later`);
    const sessionId = randomUUID();
    const secret = newToken();
    const secretExpiresAt = new Date(Date.now() + this.settings.secretTtlMs);
    const position = await this.commands.requestShell({ sessionId, host, operator, secret, secretExpiresAt });
    this.hold(this.newSession(sessionId, host, operator, secretExpiresAt.getTime(), false));
    this.addUncollected(host.id, { session_id: sessionId, secret, expires_at: secretExpiresAt.getTime() });
    // The launcher may poll another broker: tell them all (they drop it once it is collected or expired).
    // When the relay fails, the session still works if the launcher polls this broker.
    await this.relay.publish({ kind: 'handout', session_id: sessionId, host_id: host.id, secret, expires_at: secretExpiresAt.getTime() }).catch((error: Error) => {
      this.logger.warn({ err: error, sessionId }, 'could not tell the other shell brokers of a new session');
    });
    return { sessionId, position };
  }

  private newSession(sessionId: string, host: ShellHost, operator: ShellOperator & { name?: string }, secretExpiresAt: number, launcherJoinedElsewhere: boolean): LiveSession {
    const session: LiveSession = new LiveSession({
      sessionId,
      host,
      operator,
      secretExpiresAt,
      idleTimeoutMs: this.settings.idleTimeoutMs,
      relay: this.relay,
      launcherJoinedElsewhere,
      onClosed: (close, recorded) => this.sessionClosed(session, close, recorded),
      onForgotten: () => this.live.delete(sessionId),
    });
    return session;
  }

  private hold(session: LiveSession): LiveSession {
    this.live.set(session.sessionId, session);
    return session;
  }

  /**
   * The session a socket asks to join: held here, or, with other brokers about, loaded from its
   * stream when it is not closed (the join's command then decides whether this side may join).
   */
  async sessionFor(sessionId: string): Promise<LiveSession | null> {
    const held = this.live.get(sessionId);
    if (held || !this.relay.shared) return held ?? null;
    const loading = this.loading.get(sessionId) ?? this.load(sessionId);
    this.loading.set(sessionId, loading);
    return loading.finally(() => this.loading.delete(sessionId));
  }

  private async load(sessionId: string): Promise<LiveSession | null> {
    const state = await this.commands.sessionState(sessionId);
    const held = this.live.get(sessionId);
    if (held) return held;
    if (!state.session || (state.status !== 'requested' && state.status !== 'open')) return null;
    if (this.live.size >= MAX_LIVE_SESSIONS) throw new DomainError('too_many_requests', `this shell broker holds ${MAX_LIVE_SESSIONS} sessions already; try again later`);
    const { session } = state;
    const host = { id: session.host_id, hostname: session.hostname, display_name: session.hostname };
    return this.hold(this.newSession(sessionId, host, session.operator, Date.parse(session.secret_expires_at), state.launcherJoined));
  }

  private sessionClosed(session: LiveSession, close: SessionClose, recorded: boolean): void {
    this.live.delete(session.sessionId);
    this.dropUncollected(session.host.id, session.sessionId);
    this.logger.info({ sessionId: session.sessionId, hostId: session.host.id, ...close }, 'shell session closed');
    if (!recorded) return; // the other broker records it
    const actor = close.closed_by === 'launcher' ? hostActor(session.host) : close.closed_by === 'operator' ? operatorActor(session.operator) : SYSTEM_ACTOR;
    const recording = this.commands.closeShell(session.sessionId, close, actor).catch((error: Error) => {
      this.logger.error({ err: error, sessionId: session.sessionId }, 'could not record the shell session close');
    });
    this.recording.add(recording);
    void recording.finally(() => this.recording.delete(recording));
  }

  /** Closes every live session (recorded as closed by Logbook) and waits for the records. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.loading.clear();
    for (const session of [...this.live.values()]) session.close({ reason: 'Logbook is shutting down', closed_by: 'logbook' }, CLOSE_CODES.shuttingDown);
    await Promise.all([...this.recording]);
  }
}
