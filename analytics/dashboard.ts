import type { Db } from '../server/db/client.ts';
import type { DashboardView } from '../server/http/views/analytics.ts';
import { coverage, refreshAnalytics, type Filter } from './scope.ts';
import { volume } from './metrics/volume.ts';
import { firstResponse, resolution } from './metrics/response.ts';
import { bot } from './metrics/bot.ts';
import { backlog } from './metrics/backlog.ts';
import { heatmap } from './metrics/heatmap.ts';
import { satisfaction } from './metrics/satisfaction.ts';

/** The route's response schema (server/http/views/analytics.ts) is the one definition of this shape. */
export type Dashboard = DashboardView;

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
