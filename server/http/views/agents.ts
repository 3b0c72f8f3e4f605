import { Type, type Static } from 'typebox';
import { AgentRoleSchema, AgentView } from '../views.ts';

/** The shapes of /api/agents and /api/auth (responses, and the bodies the inbox sends). */
export const AgentList = Type.Object({ items: Type.Array(AgentView) });
export type AgentList = Static<typeof AgentList>;

export const AgentResult = Type.Object({ agent: AgentView });
export type AgentResult = Static<typeof AgentResult>;

/** The signed-in agent and the CSRF token every write must carry. */
export const SessionView = Type.Object({ agent: AgentView, csrfToken: Type.String() });
export type SessionView = Static<typeof SessionView>;

const Password = Type.String({ minLength: 10, maxLength: 1024, description: 'At least 10 characters' });

/** An admin creates an agent (POST /api/agents). */
export const AgentCreateRequest = Type.Object({
  email: Type.String({ format: 'email', maxLength: 320 }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  role: AgentRoleSchema,
  password: Password,
});
export type AgentCreateRequest = Static<typeof AgentCreateRequest>;

/** An admin changes name, role or password, or disables an agent (PATCH /api/agents/:id). */
export const AgentUpdateRequest = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    role: Type.Optional(AgentRoleSchema),
    disabled: Type.Optional(Type.Boolean()),
    password: Type.Optional(Password),
  },
  { minProperties: 1 },
);
export type AgentUpdateRequest = Static<typeof AgentUpdateRequest>;
