/**
 * The session broker: creates sessions on an operator's request, hands their secrets to the host's
 * launcher on its next poll (once), pairs the launcher's and the operator's WebSockets, and records
 * every step in the session's stream.
 *
 * Live sessions and not-yet-collected secrets are held in this process's memory (the sockets are
 * here anyway); a restart loses them, and their launchers and operators are refused with a reason.
 */
import { randomUUID } from 'node:crypto';
import { newToken } from '../../shared/auth/tokens';
import type { ShellOperator } from '../../shared/domain/shells/shell-events';
import { SYSTEM_ACTOR } from '../../shared/eventsourcing/metadata';
import type { Logger } from '../../shared/observability/logger';
import type { ShellHost } from '../../shared/ports/shell-hosts';
import { LiveSession, CLOSE_CODES, type SessionClose } from './live-session';
import { hostActor, operatorActor, type ShellCommands } from './shell-commands';

const HEARTBEAT_MS = 20_000;

export interface ShellSecretHandout {
  session_id: string;
  secret: string;
}

export interface ShellBrokerSettings {
  secretTtlMs: number;
  idleTimeoutMs: number;
}

export class ShellBroker {
  private readonly live = new Map<string, LiveSession>();
  /** Secrets not yet collected by their host's launcher, by host id. */
  private readonly uncollected = new Map<number, ShellSecretHandout[]>();
  private readonly shellEnabledHosts = new Set<number>();
  private readonly lastPollAt = new Map<number, string>();
  private readonly recording = new Set<Promise<unknown>>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    readonly commands: ShellCommands,
    private readonly settings: ShellBrokerSettings,
    private readonly logger: Logger,
  ) {
    this.heartbeat = setInterval(() => this.live.forEach((session) => session.heartbeat()), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** A launcher's poll: the first one enables remote shells for its host; answers the secrets waiting for it. */
  async poll(host: ShellHost): Promise<ShellSecretHandout[]> {
    this.lastPollAt.set(host.id, new Date().toISOString());
    if (!this.shellEnabledHosts.has(host.id)) {
      await this.commands.recordShellPoll(host);
      this.shellEnabledHosts.add(host.id);
    }
    const handouts = this.uncollected.get(host.id) ?? [];
    this.uncollected.delete(host.id);
    return handouts;
  }

  lastPollOf(hostId: number): string | null {
    return this.lastPollAt.get(hostId) ?? null;
  }

  async requestShell(host: ShellHost, operator: ShellOperator & { name?: string }): Promise<{ sessionId: string; position: number | null }> {
    const sessionId = randomUUID();
    const secret = newToken();
    const secretExpiresAt = new Date(Date.now() + this.settings.secretTtlMs);
    const position = await this.commands.requestShell({ sessionId, host, operator, secret, secretExpiresAt });
    const session = new LiveSession({
      sessionId,
      host,
      operator,
      secretExpiresAt: secretExpiresAt.getTime(),
      idleTimeoutMs: this.settings.idleTimeoutMs,
      onClosed: (close) => this.sessionClosed(session, close),
    });
    this.live.set(sessionId, session);
    const waiting = this.uncollected.get(host.id) ?? [];
    waiting.push({ session_id: sessionId, secret });
    this.uncollected.set(host.id, waiting);
    return { sessionId, position };
  }

  liveSession(sessionId: string): LiveSession | null {
    return this.live.get(sessionId) ?? null;
  }

  private sessionClosed(session: LiveSession, close: SessionClose): void {
    this.live.delete(session.sessionId);
    const waiting = this.uncollected.get(session.host.id)?.filter((handout) => handout.session_id !== session.sessionId);
    if (waiting && waiting.length > 0) this.uncollected.set(session.host.id, waiting);
    else this.uncollected.delete(session.host.id);
    const actor = close.closed_by === 'launcher' ? hostActor(session.host) : close.closed_by === 'operator' ? operatorActor(session.operator) : SYSTEM_ACTOR;
    this.logger.info({ sessionId: session.sessionId, hostId: session.host.id, ...close }, 'shell session closed');
    const recorded = this.commands.closeShell(session.sessionId, close, actor).catch((error: Error) => {
      this.logger.error({ err: error, sessionId: session.sessionId }, 'could not record the shell session close');
    });
    this.recording.add(recorded);
    void recorded.finally(() => this.recording.delete(recorded));
  }

  /** Closes every live session (recorded as closed by Logbook) and waits for the records. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const session of [...this.live.values()]) session.close({ reason: 'Logbook is shutting down', closed_by: 'logbook' }, CLOSE_CODES.shuttingDown);
    await Promise.all([...this.recording]);
  }
}
