/** Load, decide, append: the shell session and host control commands, each recorded with its actor. */
import { tokenHash } from '../../shared/auth/tokens';
import { hostControlDecider, hostControlStreamId } from '../../shared/domain/shells/shell-control-decider';
import type { ShellOperator } from '../../shared/domain/shells/shell-events';
import { shellSessionDecider, shellSessionStreamId, type CloseShell, type ShellSessionCommand, type ShellSessionState } from '../../shared/domain/shells/shell-session-decider';
import type { AggregateLoader } from '../../shared/eventsourcing/aggregate-loader';
import { runCommand, type CommandDeps } from '../../shared/eventsourcing/command-runner';
import { commandContext, SYSTEM_ACTOR, type CommandContext } from '../../shared/eventsourcing/metadata';
import type { Actor, EventStore } from '../../shared/ports/event-store';
import type { ShellHost } from '../../shared/ports/shell-hosts';

export function hostActor(host: ShellHost): Actor {
  return { type: 'host', id: String(host.id), name: host.display_name };
}

export function operatorActor(operator: ShellOperator & { name?: string }): Actor {
  return { type: 'user', id: String(operator.id), email: operator.email, name: operator.name };
}

export class ShellCommands {
  private readonly deps: CommandDeps;

  constructor(store: EventStore, loader: AggregateLoader) {
    this.deps = { store, loader };
  }

  /** Decides on the session's stream; resolves with the append's position, or null when nothing was decided. */
  private async onSession(sessionId: string, command: ShellSessionCommand, context: CommandContext): Promise<number | null> {
    const { position } = await runCommand(this.deps, { streamId: shellSessionStreamId(sessionId), decider: shellSessionDecider, command, context });
    return position;
  }

  /** The session as its stream tells it (another broker may have requested it). */
  async sessionState(sessionId: string): Promise<ShellSessionState> {
    return (await this.deps.loader.load(shellSessionStreamId(sessionId), shellSessionDecider)).state;
  }

  async isShellEnabled(hostId: number): Promise<boolean> {
    return (await this.deps.loader.load(hostControlStreamId(hostId), hostControlDecider)).state.shellEnabled;
  }

  /** Records the host's first poll as it enabling remote shells; later polls append nothing. */
  async recordShellPoll(host: ShellHost): Promise<number | null> {
    const { position } = await runCommand(this.deps, {
      streamId: hostControlStreamId(host.id),
      decider: hostControlDecider,
      command: { host_id: host.id, hostname: host.hostname, display_name: host.display_name },
      context: commandContext(hostActor(host)),
    });
    return position;
  }

  async requestShell(input: { sessionId: string; host: ShellHost; operator: ShellOperator & { name?: string }; secret: string; secretExpiresAt: Date }): Promise<number | null> {
    const hostControlEnabled = await this.isShellEnabled(input.host.id);
    const command: ShellSessionCommand = {
      kind: 'request',
      session_id: input.sessionId,
      host_id: input.host.id,
      hostname: input.host.hostname,
      operator: { id: input.operator.id, email: input.operator.email },
      secret_hash: tokenHash(input.secret),
      secret_expires_at: input.secretExpiresAt.toISOString(),
      hostControlEnabled,
    };
    return this.onSession(input.sessionId, command, commandContext(operatorActor(input.operator), input.sessionId));
  }

  joinAsLauncher(sessionId: string, host: ShellHost, secret: string): Promise<number | null> {
    const context = commandContext(hostActor(host), sessionId);
    return this.onSession(sessionId, { kind: 'join-as-launcher', host_id: host.id, secret_hash: tokenHash(secret), now: context.now().toISOString() }, context);
  }

  joinAsOperator(sessionId: string, operator: ShellOperator & { name?: string }): Promise<number | null> {
    return this.onSession(sessionId, { kind: 'join-as-operator', operator: { id: operator.id, email: operator.email } }, commandContext(operatorActor(operator), sessionId));
  }

  closeShell(sessionId: string, close: CloseShell, actor: Actor = SYSTEM_ACTOR): Promise<number | null> {
    return this.onSession(sessionId, { kind: 'close', ...close }, commandContext(actor, sessionId));
  }
}
