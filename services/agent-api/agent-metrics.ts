/**
 * The agent API's gauges, computed when /metrics is scraped (nothing is counted on the hot path):
 * hosts enrolled, hosts online (seen within their check-in interval plus Fleet's buffer, as host
 * status is derived everywhere), and live query campaigns running (neither ended nor expired).
 * Check-ins by outcome are counted in agent-http.ts.
 */
import { hostStatusAt } from '../../shared/domain/hosts/host-status';
import type { Metrics } from '../../shared/observability/metrics';
import type { AgentView } from './agent-view';
import type { HostRecord } from './host-table';
import type { LiveCampaigns } from './live-campaigns';
import type { ViewCatchUp } from './view-catch-up';

/** `checkInIntervalOf`: the interval (s) a host is configured with, as presence asks it. */
export function registerAgentMetrics(metrics: Metrics, view: AgentView, live: LiveCampaigns, checkInIntervalOf: (host: HostRecord) => number, catchUps: ViewCatchUp): void {
  let catchUpsReported = 0;
  metrics.counter({
    name: 'logbook_agent_view_catch_ups_total',
    help: 'Times the agent view caught up with the event log for a node key or enroll secret it did not know (coalesced: at most one at a time, one per 100 ms)',
    collect() {
      this.inc(catchUps.started - catchUpsReported);
      catchUpsReported = catchUps.started;
    },
  });
  metrics.gauge({
    name: 'logbook_hosts_enrolled',
    help: 'Hosts enrolled (known to this agent API instance)',
    collect() {
      this.set(view.hostCount);
    },
  });
  metrics.gauge({
    name: 'logbook_hosts_online',
    help: 'Enrolled hosts seen within their check-in interval plus 60 s',
    collect() {
      const now = Date.now();
      let online = 0;
      for (const host of view.enrolled()) {
        if (hostStatusAt(host.seenAt, checkInIntervalOf(host) * 1000, now) === 'online') online++;
      }
      this.set(online);
    },
  });
  metrics.gauge({
    name: 'logbook_campaigns_running',
    help: 'Live query campaigns neither ended nor expired',
    collect() {
      this.set(live.runningCount(Date.now()));
    },
  });
}
