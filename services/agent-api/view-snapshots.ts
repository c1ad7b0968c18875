/**
 * When the agent view is snapshotted and how a start uses the snapshot.
 *
 * A start loads the last snapshot (view-snapshot-store.ts) and follows the log after the position
 * it covers; without a usable one it follows the log from its start, as before snapshots. While
 * running, a snapshot is written every AGENT_SNAPSHOT_INTERVAL_S when the view followed any event
 * since the last one, and on a clean stop. So after a kill -9, a start replays about the events
 * of the last interval (plus the time a write takes): bounded by time and the write rate, not by
 * the length of the log. Each snapshot costs time in proportion to the fleet (about 270 bytes a
 * host in format 3, written chunk by chunk over several turns), hence the interval.
 */
import type { Logger } from '../../shared/observability/logger';
import type { EventStore } from '../../shared/ports/event-store';
import type { ResultsBus } from '../../shared/ports/results-bus';
import { AgentView } from './agent-view';
import { LiveCampaigns } from './live-campaigns';
import type { ViewSnapshotStore } from './view-snapshot-store';


export interface RestoredView {
  view: AgentView;
  live: LiveCampaigns;
  /** Where following starts: the snapshot's position, or null for the log's start. */
  snapshotPosition: number | null;
}

function freshView(bus: ResultsBus): { view: AgentView; live: LiveCampaigns } {
  const view = new AgentView();
  const live = new LiveCampaigns(bus, (selection) => view.selectedHosts(selection));
  view.followers.push((event) => live.apply(event));
  return { view, live };
}

/** A view (with its live campaigns) filled from the last usable snapshot, or empty when there is none (or no store: snapshots off). */
export async function restoreView(store: ViewSnapshotStore | null, log: EventStore, bus: ResultsBus, logger: Pick<Logger, 'info' | 'warn'>): Promise<RestoredView> {
  const started = performance.now();
  const parts = freshView(bus);
  if (store === null) return { ...parts, snapshotPosition: null };
  let outcome;
  try {
    outcome = await store.load(parts.view, parts.live, log);
  } catch (error) {
    outcome = { loaded: false as const, reason: `could not read the snapshot: ${(error as Error).message}` };
  }
  if (outcome.loaded) {
    logger.info({ position: outcome.position, hosts: outcome.hosts, ms: Math.round(performance.now() - started) }, 'agent view loaded from its snapshot');
    return { ...parts, snapshotPosition: outcome.position };
  }
  logger[outcome.reason === 'no snapshot yet' ? 'info' : 'warn']({ reason: outcome.reason }, 'agent view built from the start of the log');
  return { ...freshView(bus), snapshotPosition: null };
}

/** Writes snapshots of a following view on the schedule above; one write at a time. */
export class ViewSnapshotter {
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private eventsAtLast = 0;

  constructor(
    private readonly store: ViewSnapshotStore,
    private readonly view: AgentView,
    private readonly live: LiveCampaigns,
    private readonly logger: Pick<Logger, 'info' | 'warn'>,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.writing === null && this.view.eventsFollowed !== this.eventsAtLast) void this.write();
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Writes a snapshot now (after the one being written, if any). A failure is logged, not thrown. */
  write(): Promise<void> {
    const previous = this.writing ?? Promise.resolve();
    const run = previous.then(() => this.writeNow());
    this.writing = run;
    void run.finally(() => {
      if (this.writing === run) this.writing = null;
    });
    return run;
  }

  private async writeNow(): Promise<void> {
    const started = performance.now();
    const events = this.view.eventsFollowed;
    try {
      const written = await this.store.write(this.view, this.live);
      this.eventsAtLast = events;
      if (written) this.logger.info({ ...written, ms: Math.round(performance.now() - started) }, 'agent view snapshot written');
    } catch (error) {
      this.logger.warn({ err: error }, 'could not write the agent view snapshot; the next start replays more of the log');
    }
  }

  /** Stops the schedule and, when the view followed events since the last snapshot, writes one. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.writing;
    if (this.view.eventsFollowed !== this.eventsAtLast) await this.write();
  }
}
