// The dashboard's shapes: the route's response schema (server/http/views/analytics.ts), type-only.
export type { DashboardView as Dashboard, FigureView as Figure } from '../../../server/http/views/analytics.ts';
