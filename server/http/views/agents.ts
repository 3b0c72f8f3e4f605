import { Type, type Static } from 'typebox';
import { AgentRoleSchema, AgentView, InboxLocaleSchema } from '../views.ts';

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

/** An agent changes their own profile (PATCH /api/agents/me). */
export const OwnProfileRequest = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    color: Type.Optional(Type.Union([Type.String({ pattern: '^#[0-9a-f]{6}$' }), Type.Null()])),
    /** The inbox's language for me; null: follow my browser's languages. */
    locale: Type.Optional(Type.Union([InboxLocaleSchema, Type.Null()])),
  },
  { minProperties: 1 },
);
export type OwnProfileRequest = Static<typeof OwnProfileRequest>;

export const OwnPasswordRequest = Type.Object({
  currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
  newPassword: Password,
});
export type OwnPasswordRequest = Static<typeof OwnPasswordRequest>;

/** An admin invites a colleague (POST /api/agents/invitations). */
export const AgentInviteRequest = Type.Object({
  email: Type.String({ format: 'email', maxLength: 320 }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  role: AgentRoleSchema,
});
export type AgentInviteRequest = Static<typeof AgentInviteRequest>;

/** What an agent wants to be notified of, and how (GET/PUT /api/agents/me/notifications). */
export const NotificationPrefsView = Type.Object({
  browser: Type.Boolean({ description: 'Browser notifications (the browser asks for permission in the inbox)' }),
  sound: Type.Boolean(),
  assigned: Type.Boolean({ description: 'A conversation was assigned to me' }),
  mentions: Type.Boolean({ description: 'A colleague mentioned me in a note' }),
  myMessages: Type.Boolean({ description: 'A new customer message in a conversation assigned to me' }),
});
export type NotificationPrefsView = Static<typeof NotificationPrefsView>;

/** An invited colleague chooses their password (POST /api/auth/invitation). */
export const InvitationAcceptRequest = Type.Object({
  token: Type.String({ minLength: 10, maxLength: 200 }),
  password: Password,
});
export const InvitationPeekRequest = Type.Object({ token: Type.String({ minLength: 10, maxLength: 200 }) });

/** Which inboxes an agent may see (server/domain/scope.ts); managers and admins always see every inbox. */
export const InboxScopeSchema = Type.Enum(['all', 'restricted'], {
  description: 'all: every inbox; restricted: the chosen inboxes and those of the agent’s teams',
});

/** An agent's inbox access as an admin manages it (GET /api/agents/access, PUT /api/agents/:id/access). */
export const AgentAccessView = Type.Object({
  agentId: Type.String({ format: 'uuid' }),
  scope: InboxScopeSchema,
  /** Inboxes chosen for this agent (besides their teams'). */
  inboxIds: Type.Array(Type.String({ format: 'uuid' })),
  teamIds: Type.Array(Type.String({ format: 'uuid' })),
  /** What the agent sees now: null for every inbox (scope all, or a manager/admin), else the inbox ids. */
  visibleInboxIds: Type.Union([Type.Array(Type.String({ format: 'uuid' })), Type.Null()]),
});
export type AgentAccessView = Static<typeof AgentAccessView>;

const Ids = Type.Array(Type.String({ format: 'uuid' }), { maxItems: 500, uniqueItems: true });

export const AgentAccessRequest = Type.Object({
  scope: InboxScopeSchema,
  inboxIds: Ids,
  /** The teams the agent belongs to (replaces their memberships). */
  teamIds: Ids,
});
export type AgentAccessRequest = Static<typeof AgentAccessRequest>;

export const TeamView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  memberIds: Type.Array(Type.String({ format: 'uuid' })),
  inboxIds: Type.Array(Type.String({ format: 'uuid' })),
});
export type TeamView = Static<typeof TeamView>;

/** A team as every agent sees it (the team filter and picker): only the inboxes the viewer may see. */
export const TeamSummary = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  inboxIds: Type.Array(Type.String({ format: 'uuid' })),
  /** The viewer is a member ("my teams"). */
  mine: Type.Boolean(),
});
export type TeamSummary = Static<typeof TeamSummary>;

/** Creates a team or replaces its name, members and inboxes. */
export const TeamRequest = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  memberIds: Ids,
  inboxIds: Ids,
});
export type TeamRequest = Static<typeof TeamRequest>;
