/**
 * Whether other gateway instances are running: each runs a live fan-out consumer group of its own
 * (`results-gateway-live-<instance id>`, see recorded-results-relay.ts), so the groups with that
 * prefix and members, other than this instance's, are the peers. Checked every `pollMs`.
 *
 * The recorder relays only while a peer exists. A peer that starts is seen within `pollMs`; what
 * was recorded meanwhile reaches its watchers from the store (its hub notices watchers behind the
 * stored count), so nothing is lost, only later.
 */
import type { Logger } from '../../shared/observability/logger';
import type { ResultsBus } from '../../shared/ports/results-bus';
import { RELAY_GROUP_PREFIX, relayGroupOf } from './recorded-results-relay';

export class GatewayPeers {
  private present = false;
  private readonly timer: NodeJS.Timeout;
  private checking: Promise<void> = Promise.resolve();

  private constructor(
    private readonly bus: ResultsBus,
    private readonly ownGroup: string,
    private readonly logger: Logger,
    pollMs: number,
  ) {
    this.timer = setInterval(() => void this.check(), pollMs);
    this.timer.unref();
  }

  /** Starts watching, after a first check. */
  static async start(options: { bus: ResultsBus; instanceId: string; pollMs: number; logger: Logger }): Promise<GatewayPeers> {
    const peers = new GatewayPeers(options.bus, relayGroupOf(options.instanceId), options.logger, options.pollMs);
    await peers.check();
    return peers;
  }

  /** True when another instance was running at the last check (or the check failed: relay to be safe). */
  get exist(): boolean {
    return this.present;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private check(): Promise<void> {
    this.checking = this.checking.then(async () => {
      try {
        const groups = await this.bus.liveGroups(RELAY_GROUP_PREFIX);
        const present = groups.some((group) => group !== this.ownGroup);
        if (present !== this.present) this.logger.info({ peers: groups.length - (groups.includes(this.ownGroup) ? 1 : 0) }, present ? 'other gateway instances found: relaying recorded results' : 'no other gateway instance: not relaying recorded results');
        this.present = present;
      } catch (error) {
        this.present = true;
        this.logger.warn({ err: error }, 'could not list the other gateway instances; relaying recorded results meanwhile');
      }
    });
    return this.checking;
  }
}
