// The dashboard's shapes, straight from the server's analytics module (type-only: nothing server-side is bundled).
export type { Dashboard } from '../../../analytics/dashboard.ts';
export type { Figure } from '../../../analytics/cohort.ts';
