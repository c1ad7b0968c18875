/**
 * The shell broker's public surface, which the all-in-one process starts on the API's HTTP server:
 * the launcher's poll (a handler in front of Express), the operator's routes
 * and the two WebSocket endpoints.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Router } from 'express';
import type { Authenticator } from '../../shared/auth/authenticator';
import type { SocketGuards } from '../../shared/auth/socket-guards';
import type { Config } from '../../shared/config/config';
import { AggregateLoader } from '../../shared/eventsourcing/aggregate-loader';
import type { Logger } from '../../shared/observability/logger';
import type { EventStore } from '../../shared/ports/event-store';
import type { ShellHosts } from '../../shared/ports/shell-hosts';
import type { RelayHandlers, ShellRelay } from '../../shared/ports/shell-relay';
import type { ReadModels } from '../../shared/read-models/read-models';
import { launcherPollHandler } from './launcher-poll';
import { operatorShellRoutes } from './operator-routes';
import { ShellBroker } from './shell-broker';
import { ShellCommands } from './shell-commands';
import { attachShellSockets, type ShellSockets } from './shell-sockets';

export interface ShellBrokerOptions {
  config: Pick<Config, 'shellSecretTtlMs' | 'shellIdleTimeoutMs' | 'readYourWritesTimeoutMs'>;
  eventStore: EventStore;
  readModels: ReadModels;
  hosts: ShellHosts;
  authenticator: Authenticator;
  /** The process's socket bounds, shared with its other socket endpoints. */
  guards: SocketGuards;
  logger: Logger;
}

export interface ShellBrokerService {
  /** Answers `POST /api/v1/shells`; false for any other request. */
  frontHandler(req: IncomingMessage, res: ServerResponse): boolean;
  /** Mounted before authentication (none: the terminal is a view of the console, services/console). */
  publicRoutes: Router[];
  /** Mounted under /api/v1/fleet after authentication. */
  fleetRoutes: Router[];
  /** Serves the shell WebSocket upgrades on the API's server. */
  attach(server: Server): void;
  /**
   * Pairs sessions with the other brokers through the relay `open` makes (with this broker's
   * handlers); until then, and without it, the broker is alone (the local relay).
   */
  connectRelay(open: (handlers: RelayHandlers) => Promise<ShellRelay>): Promise<ShellRelay>;
  /** Closes every live session (recorded) and stops serving upgrades. */
  close(): Promise<void>;
}

export function createShellBroker(options: ShellBrokerOptions): ShellBrokerService {
  const commands = new ShellCommands(options.eventStore, new AggregateLoader(options.eventStore));
  const broker = new ShellBroker(commands, { secretTtlMs: options.config.shellSecretTtlMs, idleTimeoutMs: options.config.shellIdleTimeoutMs }, options.logger);
  let sockets: ShellSockets | null = null;
  return {
    frontHandler: launcherPollHandler({ broker, hosts: options.hosts, logger: options.logger }),
    publicRoutes: [],
    fleetRoutes: [
      operatorShellRoutes({
        broker,
        hosts: options.hosts,
        readModels: options.readModels,
        authenticator: options.authenticator,
        readYourWritesTimeoutMs: options.config.readYourWritesTimeoutMs,
        logger: options.logger,
      }),
    ],
    attach(server) {
      sockets = attachShellSockets(server, { broker, authenticator: options.authenticator, guards: options.guards, logger: options.logger });
    },
    async connectRelay(open) {
      const relay = await open(broker.relayHandlers);
      broker.useRelay(relay);
      return relay;
    },
    async close() {
      await broker.close();
      sockets?.close();
    },
  };
}
