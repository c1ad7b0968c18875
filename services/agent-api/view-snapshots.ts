/**
 * When the agent view is snapshotted and how a start uses the snapshot.
 *
 * A start loads the last snapshot (view-snapshot-store.ts) and follows the log after the position
 * it covers; without a usable one it follows the log from its start, as before snapshots. While
 * running, a snapshot is written once the view has followed at least `everyEvents` events since
 * the last one and `minIntervalMs` has passed, and on a clean stop. So after a kill -9, a start
 * replays at most about max(everyEvents, the events of minIntervalMs + checkEveryMs) events:
 * bounded by time and the write rate, not by the length of the log. Each snapshot costs time
 * and memory in proportion to the fleet (about 250 bytes a host written), hence the spacing.
 */
import type { Logger } from '../../shared/observability/logger';
import type { EventStore } from '../../shared/ports/event-store';
import type { ResultsBus } from '../../shared/ports/results-bus';
import { AgentView } from './agent-view';
import { LiveCampaigns } from './live-campaigns';
import type { ViewSnapshotStore } from './view-snapshot-store';

export interface SnapshotSchedule {
  everyEvents: number;
  minIntervalMs: number;
  checkEveryMs: number;
}

export const DEFAULT_SNAPSHOT_SCHEDULE: SnapshotSchedule = { everyEvents: 20_000, minIntervalMs: 30_000, checkEveryMs: 5_000 };

export interface RestoredView {
  view: AgentView;
  live: LiveCampaigns;
  /** Where following starts: the snapshot's position, or null for the log's start. */
  snapshotPosition: number | null;
}

function freshView(bus: ResultsBus): { view: AgentView; live: LiveCampaigns } {
  const view = new AgentView();
  const live = new LiveCampaigns(bus);
  view.followers.push((event) => live.apply(event));
  return { view, live };
}

/** A view (with its live campaigns) filled from the last usable snapshot, or empty when there is none. */
export async function restoreView(store: ViewSnapshotStore, log: EventStore, bus: ResultsBus, logger: Pick<Logger, 'info' | 'warn'>): Promise<RestoredView> {
  const started = performance.now();
  const parts = freshView(bus);
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
  private lastAt = 0;

  constructor(
    private readonly store: ViewSnapshotStore,
    private readonly view: AgentView,
    private readonly live: LiveCampaigns,
    private readonly logger: Pick<Logger, 'info' | 'warn'>,
    private readonly schedule: SnapshotSchedule = DEFAULT_SNAPSHOT_SCHEDULE,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.due(Date.now())) void this.write();
    }, this.schedule.checkEveryMs);
    this.timer.unref();
  }

  private due(now: number): boolean {
    return this.writing === null && this.view.eventsFollowed - this.eventsAtLast >= this.schedule.everyEvents && now - this.lastAt >= this.schedule.minIntervalMs;
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
    this.lastAt = Date.now();
    try {
      const written = await this.store.write(this.view, this.live, this.lastAt);
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
