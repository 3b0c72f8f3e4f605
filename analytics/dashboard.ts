import type { Db } from '../server/db/client.ts';
import { coverage, refreshAnalytics, type Coverage, type Filter } from './scope.ts';
import { volume, type Volume } from './metrics/volume.ts';
import { firstResponse, resolution, type Durations } from './metrics/response.ts';
import { bot, type BotMetrics } from './metrics/bot.ts';
import { backlog, type Backlog } from './metrics/backlog.ts';
import { heatmap, type HeatCell } from './metrics/heatmap.ts';
import { satisfaction, type Satisfaction } from './metrics/satisfaction.ts';

export type Dashboard = {
  generatedAt: string;
  filter: { from: string; to: string; channel: Filter['channel']; timeZone: string };
  minCohort: number;
  coverage: Coverage & { percent: number | null };
  volume: Volume;
  firstResponse: Durations;
  resolution: Durations;
  bot: BotMetrics;
  backlog: Backlog;
  heatmap: HeatCell[];
  satisfaction: Satisfaction;
};

/**
 * Every metric of the managers' dashboard, each its own consent-scoped query, run side by side, after the
 * rollups are brought up to date (so every change since the last request counts, withdrawals included).
 */
export async function dashboard(db: Db, filter: Filter, minCohort: number): Promise<Dashboard> {
  const k = minCohort;
  await refreshAnalytics(db, k);
  const [cov, vol, first, resolved, botMetrics, queue, heat, rated] = await Promise.all([
    coverage(db),
    volume(db, filter, k),
    firstResponse(db, filter, k),
    resolution(db, filter, k),
    bot(db, filter, k),
    backlog(db, filter, k),
    heatmap(db, filter, k),
    satisfaction(db, filter, k),
  ]);
  return {
    generatedAt: new Date().toISOString(),
    filter: {
      from: filter.from.toISOString(),
      to: filter.to.toISOString(),
      channel: filter.channel,
      timeZone: filter.timeZone,
    },
    minCohort,
    coverage: { ...cov, percent: cov.contacts > 0 ? Math.round((cov.consenting / cov.contacts) * 100) : null },
    volume: vol,
    firstResponse: first,
    resolution: resolved,
    bot: botMetrics,
    backlog: queue,
    heatmap: heat,
    satisfaction: rated,
  };
}
