/**
 * Host presence: when each host was last seen and last answered detail, label and policy
 * queries. Kept in memory (check-ins are too frequent for events) and written to the read store
 * every few seconds, so a restart keeps online/offline status and does not ask every host for
 * everything again. A crash loses at most the last few seconds of it.
 *
 * Several agent API instances serve the same hosts (a host's check-ins land on any of them), so
 * each instance knows only its own latest sighting. Flushes therefore *raise* the stored document
 * (the read store's atomic `raise`): the latest seen time and answer times win whatever order the
 * instances flush in, and an instance that saw a host earlier never moves it back. The check-in
 * interval is raised too, so after it is lowered the stored one stays the highest seen until the
 * document is rewritten (a host then counts as online a little longer).
 */
import type { ReadCollection, ReadStore } from '../../shared/ports/read-store';
import { HOST_PRESENCE, type HostPresenceDoc } from '../../shared/read-models/read-model-types';
import type { AgentView, HostRecord } from './agent-view';

const FLUSH_EVERY_MS = 5_000;

export class PresenceTracker {
  /** Hosts touched since the last flush; empty between flushes (no per-host entry while idle). */
  private readonly dirty = new Map<number, HostRecord>();
  private readonly collection: ReadCollection<HostPresenceDoc>;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  /**
   * `checkInIntervalOf` tells the interval a host is configured with; it is asked when the host's
   * presence is written, not at every check-in (the hot path), so what is stored is the host's
   * configuration at most one flush after its check-in.
   */
  constructor(
    readStore: ReadStore,
    private readonly onError: (error: Error) => void,
    private readonly checkInIntervalOf: (host: HostRecord) => number,
  ) {
    this.collection = readStore.collection<HostPresenceDoc>(HOST_PRESENCE);
  }

  /**
   * Restores what was stored into the view's hosts (call once the view has caught up). Each time
   * only moves forward (the later of the stored one and the view's), so it may run while hosts
   * already check in, over times a snapshot restored: a check-in or answer since is kept. The
   * check-in interval is the stored one (a host reports the same one at its next check-in).
   */
  async restore(view: AgentView): Promise<void> {
    for (const doc of await this.collection.find()) {
      const host = view.hostById(doc.host_id);
      if (!host) continue;
      host.seenAt = Math.max(host.seenAt, Date.parse(doc.seen_time) || 0);
      host.detailsAt = Math.max(host.detailsAt, doc.details_at);
      host.labelsAt = Math.max(host.labelsAt, doc.labels_at);
      host.policiesAt = Math.max(host.policiesAt, doc.policies_at);
    }
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  /** The host checked in (or answered); its presence is written with the next flush. */
  touch(host: HostRecord): void {
    if (host.state.id === null) return;
    this.dirty.set(host.state.id, host);
  }

  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writeDirty());
    return this.flushing;
  }

  private async writeDirty(): Promise<void> {
    if (this.dirty.size === 0) return;
    const hosts = [...this.dirty.values()];
    this.dirty.clear();
    try {
      await this.collection.bulk(
        hosts.map((host) => ({
          op: 'raise' as const,
          id: String(host.state.id),
          doc: {
            host_id: host.state.id!,
            seen_time: new Date(host.seenAt).toISOString(),
            check_in_interval_s: this.checkInIntervalOf(host),
            details_at: host.detailsAt,
            labels_at: host.labelsAt,
            policies_at: host.policiesAt,
          },
        })),
      );
    } catch (error) {
      for (const host of hosts) if (!this.dirty.has(host.state.id!)) this.dirty.set(host.state.id!, host);
      this.onError(error as Error);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }
}
