import { and, eq, gt, sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/client.ts';
import { preparedStatement } from '../db/statements.ts';
import { agentInvitations, agents, sessions } from '../../drizzle/schema/index.ts';
import type { AgentRole } from '../../drizzle/schema/enums.ts';
import type { AgentView } from '../http/views.ts';
import { isLocale } from '../../web/i18n/locales.ts';
import { DUMMY_HASH, hashPassword, verifyPassword } from '../security/passwords.ts';
import { randomToken, sha256 } from '../security/tokens.ts';
import { appendAudit } from '../privacy/audit.ts';
import type { DomainEventBus } from './events.ts';
import { badRequest, conflict, notFound } from './errors.ts';
import { parseInboxIds, visibleInboxIdsSql, type InboxIds } from './scope.ts';

type AgentRow = typeof agents.$inferSelect;
/** `inboxIds`: the inboxes this agent may see, null for all (server/domain/scope.ts), read with the session. */
export type SessionAgent = AgentView & { csrfToken: string; inboxIds: InboxIds };

/** `invited`: the agent has a pending invitation (and so no password of their own yet). */
export const toAgentView = (a: AgentRow, invited = false): AgentView => ({
  id: a.id,
  email: a.email,
  name: a.name,
  role: a.role,
  disabled: a.disabledAt !== null,
  color: a.color,
  status: a.disabledAt !== null ? 'disabled' : a.demo ? 'demo' : invited ? 'invited' : 'active',
  mustChangePassword: a.mustChangePassword,
  locale: isLocale(a.locale) ? a.locale : null,
});

export async function listAgents(db: Db): Promise<AgentView[]> {
  const rows = await db
    .select({
      agent: agents,
      invited: sql<boolean>`exists (select 1 from ${agentInvitations} i
        where i.agent_id = ${agents.id} and i.expires_at > now())`,
    })
    .from(agents)
    .orderBy(agents.name);
  return rows.map((r) => toAgentView(r.agent, Boolean(r.invited)));
}

/** Whether the agent has an invitation that has not expired (an admin's one-time password replaces it). */
export async function hasPendingInvitation(db: Db, agentId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: agentInvitations.agentId })
    .from(agentInvitations)
    .where(and(eq(agentInvitations.agentId, agentId), gt(agentInvitations.expiresAt, new Date())))
    .limit(1);
  return Boolean(row);
}

export async function createAgent(
  db: Db,
  input: { email: string; name: string; role: AgentRole; password: string; demo?: boolean },
  actorId: string | null,
): Promise<AgentView> {
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(agents)
      .values({
        email: input.email.toLowerCase(),
        name: input.name,
        role: input.role,
        passwordHash,
        demo: input.demo ?? false,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) throw conflict('agent_exists', 'An agent with this email already exists');
    await appendAudit(tx, {
      actorKind: actorId ? 'agent' : 'system',
      actorId,
      action: 'agent.created',
      targetType: 'agent',
      targetId: row.id,
      details: { role: row.role },
    });
    return toAgentView(row);
  });
}

/** What changing an agent's access needs: the database, and the bus that tells the realtime layer (after commit). */
export type AgentAccessDeps = { db: Db; events: Pick<DomainEventBus, 'publish'> };

/**
 * Disabling or a new password ends every session of the agent; a new role keeps them (every request reads the role
 * afresh). All three, once committed, cut the agent's sockets on every server (a socket holds what it read at connect).
 */
export async function updateAgent(
  deps: AgentAccessDeps,
  id: string,
  patch: { name?: string; role?: AgentRole; disabled?: boolean; password?: string },
  actorId: string,
): Promise<AgentView> {
  const set: Partial<typeof agents.$inferInsert> = {};
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.role !== undefined) set.role = patch.role;
  if (patch.disabled !== undefined) set.disabledAt = patch.disabled ? new Date() : null;
  if (patch.password !== undefined) {
    set.passwordHash = await hashPassword(patch.password);
    // Somebody knows this password now: a demo colleague becomes a real account.
    set.demo = false;
  }
  // Unknown keys satisfy the schema's minProperties but change nothing (and must not reach the audit entry).
  const fields = (['name', 'role', 'disabled', 'password'] as const).filter((k) => patch[k] !== undefined);
  if (fields.length === 0)
    throw badRequest('nothing_to_change', 'Give at least one of name, role, disabled or password');
  const { agent, roleChanged } = await deps.db.transaction(async (tx) => {
    const [before] = await tx.select({ role: agents.role }).from(agents).where(eq(agents.id, id)).for('update');
    if (!before) throw notFound('Agent');
    const [row] = await tx.update(agents).set(set).where(eq(agents.id, id)).returning();
    // A disabled agent or a new password ends every open session of that agent.
    if (patch.disabled || patch.password !== undefined) await tx.delete(sessions).where(eq(sessions.agentId, id));
    if (patch.password !== undefined) await tx.delete(agentInvitations).where(eq(agentInvitations.agentId, id));
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId,
      action: 'agent.updated',
      targetType: 'agent',
      targetId: id,
      details: { fields },
    });
    return { agent: toAgentView(row!), roleChanged: patch.role !== undefined && patch.role !== before.role };
  });
  const reason = patch.disabled
    ? 'disabled'
    : patch.password !== undefined
      ? 'password_changed'
      : roleChanged
        ? 'role_changed'
        : undefined;
  if (reason) deps.events.publish('agent.access_changed', { agentId: id, reason });
  return agent;
}

/** Checks the password (in constant-ish time for unknown emails) and opens a session. */
export async function login(db: Db, email: string, password: string, ttlHours: number) {
  const [agent] = await db.select().from(agents).where(eq(agents.email, email.toLowerCase()));
  const ok = await verifyPassword(password, agent?.passwordHash ?? DUMMY_HASH);
  if (!agent || !ok || agent.disabledAt) return null;
  const token = randomToken();
  const csrfToken = randomToken();
  await db.insert(sessions).values({
    tokenHash: sha256(token),
    agentId: agent.id,
    csrfToken,
    expiresAt: new Date(Date.now() + ttlHours * 3_600_000),
  });
  return { token, csrfToken, agent: toAgentView(agent) };
}

/**
 * Runs on every authenticated request and socket connect, so its SQL is rendered once (see
 * preparedStatement) and it reads only the columns the session needs (not the password hash).
 */
const sessionStatement = preparedStatement<{
  id: string;
  email: string;
  name: string;
  role: AgentRole;
  disabled: boolean;
  color: string | null;
  locale: string | null;
  must_change_password: boolean;
  csrf_token: string;
  inbox_ids: unknown;
}>(sql`
  select a.id, a.email, a.name, a.role, a.disabled_at is not null as disabled, a.color, a.locale,
    a.must_change_password, s.csrf_token,
    ${visibleInboxIdsSql(sql.raw('a'))} as inbox_ids
  from sessions s join agents a on a.id = s.agent_id
  where s.token_hash = ${sql.placeholder('tokenHash')} and s.expires_at > ${sql.placeholder('now')}::timestamptz`);

export async function sessionAgent(db: Db, token: string | undefined): Promise<SessionAgent | null> {
  return token ? sessionAgentByHash(db, sha256(token)) : null;
}

/** The same, for a session known by the SHA-256 of its token (a socket keeps that, not the token). */
export async function sessionAgentByHash(db: Db, tokenHash: string): Promise<SessionAgent | null> {
  const [row] = await sessionStatement(db, { tokenHash, now: new Date().toISOString() });
  if (!row || row.disabled) return null;
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    disabled: false,
    color: row.color,
    // A demo colleague with a session: an admin gave them a password, so they are a real account now.
    status: 'active',
    mustChangePassword: row.must_change_password,
    locale: isLocale(row.locale) ? row.locale : null,
    csrfToken: row.csrf_token,
    inboxIds: parseInboxIds(row.inbox_ids),
  };
}

/**
 * The agent an API token acts for (server/security/api-tokens.ts), shaped like a session's agent; null when the
 * account is disabled. No CSRF token: a bearer token is not sent by a browser on its own.
 */
export async function tokenAgent(db: Db, agentId: string): Promise<SessionAgent | null> {
  const [row] = rowsOf<{
    id: string;
    email: string;
    name: string;
    role: AgentRole;
    disabled: boolean;
    color: string | null;
    locale: string | null;
    inbox_ids: unknown;
  }>(
    await db.execute(sql`
      select a.id, a.email, a.name, a.role, a.disabled_at is not null as disabled, a.color, a.locale,
        ${visibleInboxIdsSql(sql.raw('a'))} as inbox_ids
      from agents a where a.id = ${agentId}`),
  );
  if (!row || row.disabled) return null;
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    disabled: false,
    color: row.color,
    status: 'active',
    mustChangePassword: false,
    locale: isLocale(row.locale) ? row.locale : null,
    csrfToken: '',
    inboxIds: parseInboxIds(row.inbox_ids),
  };
}

/** Ends one session, and (after commit) the sockets opened with it on every server. */
export async function logout(deps: AgentAccessDeps, token: string): Promise<void> {
  const tokenHash = sha256(token);
  const [ended] = await deps.db
    .delete(sessions)
    .where(eq(sessions.tokenHash, tokenHash))
    .returning({ agentId: sessions.agentId });
  // Already gone: whatever ended it (another logout, disabling, a new password) has cut its sockets.
  if (ended)
    deps.events.publish('agent.access_changed', { agentId: ended.agentId, reason: 'logout', session: tokenHash });
}
