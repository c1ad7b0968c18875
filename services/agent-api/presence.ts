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
 *
 * Writes are the cost here (a raise reads the document, rewrites it and moves its indexed
 * seen_time key: some 20-40 µs a host, as much as a whole check-in), so a host that only checked
 * in again is written at most once per SEEN_STEP_MS: until then it stays queued and a later flush
 * writes its latest time. A host's answer times (`answered`), and a host this instance has not
 * written since it started, are written at the next flush. So the stored seen_time lags the
 * latest check-in by at most SEEN_STEP_MS + FLUSH_EVERY_MS (20 s), well inside the 60 s slack of
 * the online rule (host-status.ts); `stop` writes everything queued.
 */
import type { ReadCollection, ReadStore } from '../../shared/ports/read-store';
import { HOST_PRESENCE, type HostPresenceDoc } from '../../shared/read-models/read-model-types';
import type { AgentView, HostRecord } from './agent-view';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

const FLUSH_EVERY_MS = 5_000;
/** A host seen again is rewritten once its seen time moved this far past the one written. */
export const SEEN_STEP_MS = 15_000;

export class PresenceTracker {
  /** Hosts touched and not written since; empty while no host checks in (no per-host entry while idle). */
  private readonly dirty = new Map<number, HostRecord>();
  /** Of those, the ones whose answer times changed: written at the next flush whatever their seen time. */
  private readonly answeredSince = new Set<number>();
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
   * Read page by page, a turn each, so check-ins are served between pages instead of waiting for
   * every host's document: the pages are the ids (String(host id)) 1 to 9, then each two-digit
   * id prefix 10 to 99, a partition of every id that documents raised meanwhile cannot move across.
   */
  async restore(view: AgentView): Promise<void> {
    const merge = (doc: HostPresenceDoc | null) => {
      const host = doc && view.hostById(doc.host_id);
      if (!doc || !host) return;
      host.seenAt = Math.max(host.seenAt, Date.parse(doc.seen_time) || 0);
      host.detailsAt = Math.max(host.detailsAt, doc.details_at);
      host.labelsAt = Math.max(host.labelsAt, doc.labels_at);
      host.policiesAt = Math.max(host.policiesAt, doc.policies_at);
    };
    for (let id = 1; id <= 9; id++) merge(await this.collection.get(String(id)));
    for (let prefix = 10; prefix <= 99; prefix++) {
      for (const doc of await this.collection.find({ idPrefix: String(prefix) })) merge(doc);
      await yieldToEventLoop();
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

  /** The host's detail, label or policy answer times moved (call after setting them). */
  answered(host: HostRecord): void {
    if (host.state.id === null) return;
    this.dirty.set(host.state.id, host);
    this.answeredSince.add(host.state.id);
  }

  /** Writes the queued hosts that are due (see the module comment); with `all`, every queued host. */
  flush(all = false): Promise<void> {
    this.flushing = this.flushing.then(() => this.writeDirty(all));
    return this.flushing;
  }

  /** Takes the hosts to write out of the queue; the others stay queued. */
  private takeDue(all: boolean): HostRecord[] {
    const due: HostRecord[] = [];
    for (const [id, host] of this.dirty) {
      const written = host.presenceWrittenSeenAt;
      if (all || this.answeredSince.has(id) || !(written > 0) || host.seenAt - written >= SEEN_STEP_MS) {
        due.push(host);
        this.dirty.delete(id);
      }
    }
    this.answeredSince.clear();
    return due;
  }

  private async writeDirty(all: boolean): Promise<void> {
    if (this.dirty.size === 0) return;
    const hosts = this.takeDue(all);
    if (hosts.length === 0) return;
    for (const host of hosts) host.presenceWrittenSeenAt = host.seenAt;
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
      for (const host of hosts) {
        host.presenceWrittenSeenAt = 0; // not written: due again at the next flush
        if (!this.dirty.has(host.state.id!)) this.dirty.set(host.state.id!, host);
      }
      this.onError(error as Error);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush(true);
  }
}
