/** Load, decide, append: the shell session and host control commands, each recorded with its actor. */
import { tokenHash } from '../../shared/auth/tokens';
import {
  decideRecordShellPoll,
  evolveHostControl,
  hostControlStreamId,
  initialHostControlState,
  type HostControlEvent,
  type HostControlState,
} from '../../shared/domain/shells/shell-control-decider';
import {
  decideCloseShell,
  decideJoinAsLauncher,
  decideJoinAsOperator,
  decideRequestShell,
  evolveShellSession,
  initialShellSessionState,
  shellSessionStreamId,
  type CloseShell,
  type ShellOperator,
  type ShellSessionEvent,
  type ShellSessionState,
} from '../../shared/domain/shells/shell-session-decider';
import type { AggregateLoader, AggregateType } from '../../shared/eventsourcing/aggregate-loader';
import { commandContext, SYSTEM_ACTOR, toNewEvents, type CommandContext } from '../../shared/eventsourcing/metadata';
import { retryOnConflict } from '../../shared/eventsourcing/retry-on-conflict';
import type { Actor, EventStore } from '../../shared/ports/event-store';
import type { ShellHost } from '../../shared/ports/shell-hosts';

const shellSessionAggregate: AggregateType<ShellSessionState> = {
  initial: initialShellSessionState,
  evolve: (state, event) => evolveShellSession(state, { type: event.type, data: event.data } as ShellSessionEvent),
};

const hostControlAggregate: AggregateType<HostControlState> = {
  initial: initialHostControlState,
  evolve: (state, event) => evolveHostControl(state, { type: event.type, data: event.data } as HostControlEvent),
};

export function hostActor(host: ShellHost): Actor {
  return { type: 'host', id: String(host.id), name: host.display_name };
}

export function operatorActor(operator: ShellOperator & { name?: string }): Actor {
  return { type: 'user', id: String(operator.id), email: operator.email, name: operator.name };
}

export class ShellCommands {
  constructor(
    private readonly store: EventStore,
    private readonly loader: AggregateLoader,
  ) {}

  private async run<S>(streamId: string, type: AggregateType<S>, context: CommandContext, decide: (state: S) => Array<{ type: string; data: unknown }>): Promise<number | null> {
    return retryOnConflict(async () => {
      const { state, expected } = await this.loader.load(streamId, type);
      const events = decide(state);
      if (events.length === 0) return null;
      const result = await this.store.append([{ streamId, expected, events: toNewEvents(context, events) }]);
      return result.position;
    });
  }

  async isShellEnabled(hostId: number): Promise<boolean> {
    return (await this.loader.load(hostControlStreamId(hostId), hostControlAggregate)).state.shellEnabled;
  }

  /** Records the host's first poll as it enabling remote shells; later polls append nothing. */
  recordShellPoll(host: ShellHost): Promise<number | null> {
    const context = commandContext(hostActor(host));
    return this.run(hostControlStreamId(host.id), hostControlAggregate, context, (state) =>
      decideRecordShellPoll({ host_id: host.id, hostname: host.hostname, display_name: host.display_name }, state),
    );
  }

  async requestShell(input: { sessionId: string; host: ShellHost; operator: ShellOperator & { name?: string }; secret: string; secretExpiresAt: Date }): Promise<number | null> {
    const hostControlEnabled = await this.isShellEnabled(input.host.id);
    const context = commandContext(operatorActor(input.operator), input.sessionId);
    return this.run(shellSessionStreamId(input.sessionId), shellSessionAggregate, context, (state) =>
      decideRequestShell(
        {
          session_id: input.sessionId,
          host_id: input.host.id,
          hostname: input.host.hostname,
          operator: { id: input.operator.id, email: input.operator.email },
          secret_hash: tokenHash(input.secret),
          secret_expires_at: input.secretExpiresAt.toISOString(),
          hostControlEnabled,
        },
        state,
      ),
    );
  }

  joinAsLauncher(sessionId: string, host: ShellHost, secret: string): Promise<number | null> {
    const context = commandContext(hostActor(host), sessionId);
    return this.run(shellSessionStreamId(sessionId), shellSessionAggregate, context, (state) =>
      decideJoinAsLauncher({ host_id: host.id, secret_hash: tokenHash(secret), now: context.now().toISOString() }, state),
    );
  }

  joinAsOperator(sessionId: string, operator: ShellOperator & { name?: string }): Promise<number | null> {
    const context = commandContext(operatorActor(operator), sessionId);
    return this.run(shellSessionStreamId(sessionId), shellSessionAggregate, context, (state) =>
      decideJoinAsOperator({ operator: { id: operator.id, email: operator.email } }, state),
    );
  }

  closeShell(sessionId: string, close: CloseShell, actor: Actor = SYSTEM_ACTOR): Promise<number | null> {
    const context = commandContext(actor, sessionId);
    return this.run(shellSessionStreamId(sessionId), shellSessionAggregate, context, (state) => decideCloseShell(close, state));
  }
}
