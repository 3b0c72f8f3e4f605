import { pgTable, uuid, text, timestamp, index, primaryKey, boolean, jsonb, uniqueIndex } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { agentRoleEnum, inboxScopeEnum } from './enums.ts';
import { inboxes } from './inboxes.ts';

export const agents = pgTable('agents', {
  id: uuid('id').primaryKey().defaultRandom(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  role: agentRoleEnum('role').notNull().default('agent'),
  passwordHash: text('password_hash').notNull(),
  disabledAt: timestamp('disabled_at', { withTimezone: true }),
  /** Which inboxes the agent may see (server/domain/scope.ts); managers and admins always see every inbox. */
  inboxScope: inboxScopeEnum('inbox_scope').notNull().default('all'),
  /** The agent's own colour (#rrggbb) for their avatar; null: derived from the name. */
  color: text('color'),
  /** Set by an admin's one-time password: the agent must choose their own at the next sign-in. */
  mustChangePassword: boolean('must_change_password').notNull().default(false),
  /** A fictional demo colleague (server/demo/seed.ts): exists to be assigned, has no password anyone knows. */
  demo: boolean('demo').notNull().default(false),
  /** The agent's notification choices (server/domain/profile.ts NotificationPrefs). */
  notificationPrefs: jsonb('notification_prefs').$type<Record<string, boolean>>().notNull().default({}),
  /** The language the agent reads the inbox in (en, de, fr, fi, sv); null: the browser's languages decide. */
  locale: text('locale'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Server-side sessions: the cookie carries a random token, the table holds only its SHA-256. */
export const sessions = pgTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    agentId: uuid('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('sessions_agent').on(t.agentId)],
);

/** Inboxes chosen for one agent (used when the agent's scope is 'restricted'). */
export const agentInboxes = pgTable(
  'agent_inboxes',
  {
    agentId: uuid('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    inboxId: uuid('inbox_id')
      .notNull()
      .references(() => inboxes.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.inboxId] }), index('agent_inboxes_inbox').on(t.inboxId)],
);

/** A team: members who work the same inboxes (a restricted member sees the inboxes of all their teams). */
export const teams = pgTable('teams', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const teamMembers = pgTable(
  'team_members',
  {
    teamId: uuid('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    agentId: uuid('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.agentId] }), index('team_members_agent').on(t.agentId)],
);

export const teamInboxes = pgTable(
  'team_inboxes',
  {
    teamId: uuid('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    inboxId: uuid('inbox_id')
      .notNull()
      .references(() => inboxes.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.inboxId] }), index('team_inboxes_inbox').on(t.inboxId)],
);

/**
 * A pending invitation: the agent row exists (with a password nobody knows) and signs in for the first time by
 * choosing a password through the link. Only the SHA-256 of the link's token is stored.
 */
export const agentInvitations = pgTable(
  'agent_invitations',
  {
    tokenHash: text('token_hash').primaryKey(),
    agentId: uuid('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by').references(() => agents.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('agent_invitations_agent').on(t.agentId), index('agent_invitations_created_by').on(t.createdBy)],
);

/**
 * Canned replies: shared (ownerId null) or one agent's own. `variants` holds the text per language (en, de, fr, fi,
 * sv), with {{variables}} filled from known data when inserted (server/domain/canned-replies.ts).
 */
export const cannedReplies = pgTable(
  'canned_replies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerId: uuid('owner_id').references(() => agents.id, { onDelete: 'cascade' }),
    shortcut: text('shortcut').notNull(),
    title: text('title').notNull(),
    variants: jsonb('variants').$type<Record<string, string>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // One shortcut per owner, and one among the shared ones (null owners are distinct in a plain unique index).
    uniqueIndex('canned_replies_owner_shortcut').on(sql`coalesce(${t.ownerId}::text, '')`, t.shortcut),
    index('canned_replies_owner').on(t.ownerId),
  ],
);
