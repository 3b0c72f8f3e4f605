import { Type, type Static } from 'typebox';

/** GET /api/health: the process is up and the database answers (`database` names its driver). */
export const HealthView = Type.Object({ ok: Type.Boolean(), database: Type.String() });
export type HealthView = Static<typeof HealthView>;
