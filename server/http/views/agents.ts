import { Type, type Static } from 'typebox';
import { AgentView } from '../views.ts';

/** The shapes of /api/agents and /api/auth. */
export const AgentList = Type.Object({ items: Type.Array(AgentView) });
export type AgentList = Static<typeof AgentList>;

export const AgentResult = Type.Object({ agent: AgentView });
export type AgentResult = Static<typeof AgentResult>;

/** The signed-in agent and the CSRF token every write must carry. */
export const SessionView = Type.Object({ agent: AgentView, csrfToken: Type.String() });
export type SessionView = Static<typeof SessionView>;
