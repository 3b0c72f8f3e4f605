import { and, eq, gt, ne } from 'drizzle-orm';
import type { AgentRole } from '../../drizzle/schema/enums.ts';
import type { Locale } from '../../web/i18n/locales.ts';
import { agentInvitations, agents, sessions } from '../../drizzle/schema/index.ts';
import type { AgentView } from '../http/views.ts';
import { appendAudit } from '../privacy/audit.ts';
import { hashPassword, verifyPassword } from '../security/passwords.ts';
import { randomToken, sha256 } from '../security/tokens.ts';
import { createAgent, toAgentView, type AgentAccessDeps } from './agents.ts';
import { DomainError, badRequest, conflict, notFound } from './errors.ts';

/**
 * What an agent changes about themselves (display name, colour, password, notifications), and how an admin lets a
 * new colleague in without knowing their password: a one-time password or an invitation link.
 */

/** Which notifications the agent wants; the browser's own permission is asked for in the inbox, never on load. */
export type NotificationPrefs = {
  /** Show browser notifications (only once the browser granted the permission). */
  browser: boolean;
  /** Play a short sound. */
  sound: boolean;
  /** For what: a conversation assigned to me, an @mention in a note, a new message in a conversation of mine. */
  assigned: boolean;
  mentions: boolean;
  myMessages: boolean;
};
export const defaultNotificationPrefs: NotificationPrefs = {
  browser: false,
  sound: false,
  assigned: true,
  mentions: true,
  myMessages: true,
};
const prefKeys = Object.keys(defaultNotificationPrefs) as Array<keyof NotificationPrefs>;

export function readNotificationPrefs(stored: Record<string, boolean> | null | undefined): NotificationPrefs {
  const prefs = { ...defaultNotificationPrefs };
  for (const key of prefKeys) if (typeof stored?.[key] === 'boolean') prefs[key] = stored[key];
  return prefs;
}

export async function getNotificationPrefs(deps: AgentAccessDeps, agentId: string): Promise<NotificationPrefs> {
  const [row] = await deps.db.select({ prefs: agents.notificationPrefs }).from(agents).where(eq(agents.id, agentId));
  if (!row) throw notFound('Agent');
  return readNotificationPrefs(row.prefs);
}

export async function setNotificationPrefs(
  deps: AgentAccessDeps,
  agentId: string,
  patch: Partial<NotificationPrefs>,
): Promise<NotificationPrefs> {
  const prefs = { ...(await getNotificationPrefs(deps, agentId)), ...patch };
  await deps.db.update(agents).set({ notificationPrefs: prefs }).where(eq(agents.id, agentId));
  return prefs;
}

/** The agent's own display name (what customers see on replies), avatar colour and the inbox's language. */
export async function updateOwnProfile(
  deps: AgentAccessDeps,
  agentId: string,
  patch: { name?: string; color?: string | null; locale?: Locale | null },
): Promise<AgentView> {
  const fields = (['name', 'color', 'locale'] as const).filter((k) => patch[k] !== undefined);
  if (fields.length === 0) throw badRequest('nothing_to_change', 'Give a name, a colour or a language');
  const name = patch.name?.trim();
  if (patch.name !== undefined && !name) throw badRequest('invalid_name', 'A display name cannot be empty');
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .update(agents)
      .set({
        ...(name ? { name } : {}),
        ...(patch.color !== undefined ? { color: patch.color } : {}),
        ...(patch.locale !== undefined ? { locale: patch.locale } : {}),
      })
      .where(eq(agents.id, agentId))
      .returning();
    if (!row) throw notFound('Agent');
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId: agentId,
      action: 'agent.profile_updated',
      targetType: 'agent',
      targetId: agentId,
      details: { fields },
    });
    return toAgentView(row);
  });
}

/**
 * The agent's own new password, given the current one. Every other session of the agent ends (and its sockets);
 * the one that asked stays signed in. Clears a one-time password's "must change".
 */
export async function changeOwnPassword(
  deps: AgentAccessDeps,
  agentId: string,
  currentSessionHash: string,
  input: { currentPassword: string; newPassword: string },
): Promise<AgentView> {
  const [row] = await deps.db.select().from(agents).where(eq(agents.id, agentId));
  if (!row) throw notFound('Agent');
  if (!(await verifyPassword(input.currentPassword, row.passwordHash)))
    throw new DomainError(400, 'wrong_password', 'The current password is not right');
  if (input.newPassword === input.currentPassword)
    throw badRequest('same_password', 'Choose a password different from the current one');
  const passwordHash = await hashPassword(input.newPassword);
  const agent = await deps.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(agents)
      .set({ passwordHash, mustChangePassword: false, demo: false })
      .where(eq(agents.id, agentId))
      .returning();
    const ended = await tx
      .delete(sessions)
      .where(and(eq(sessions.agentId, agentId), ne(sessions.tokenHash, currentSessionHash)))
      .returning({ tokenHash: sessions.tokenHash });
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId: agentId,
      action: 'agent.password_changed',
      targetType: 'agent',
      targetId: agentId,
      details: { by: 'self' },
    });
    return { view: toAgentView(updated!), ended: ended.map((s) => s.tokenHash) };
  });
  // The sockets of the sessions that ended go; this session's stay connected.
  for (const session of agent.ended)
    deps.events.publish('agent.access_changed', { agentId, reason: 'password_changed', session });
  return agent.view;
}

/**
 * An admin gives an agent a password to sign in with once: shown to the admin only in this answer, never stored
 * in the clear, and the agent must choose their own at that sign-in. Ends the agent's sessions and invitations.
 */
export async function setOneTimePassword(
  deps: AgentAccessDeps,
  agentId: string,
  actorId: string,
): Promise<{ agent: AgentView; password: string }> {
  const password = randomToken(12);
  const passwordHash = await hashPassword(password);
  const agent = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .update(agents)
      .set({ passwordHash, mustChangePassword: true, demo: false })
      .where(eq(agents.id, agentId))
      .returning();
    if (!row) throw notFound('Agent');
    await tx.delete(sessions).where(eq(sessions.agentId, agentId));
    await tx.delete(agentInvitations).where(eq(agentInvitations.agentId, agentId));
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId,
      action: 'agent.one_time_password_set',
      targetType: 'agent',
      targetId: agentId,
      details: {},
    });
    return toAgentView(row);
  });
  deps.events.publish('agent.access_changed', { agentId, reason: 'password_changed' });
  return { agent, password };
}

export const INVITATION_DAYS = 7;

/** Sends the invitation by the configured SMTP inbox; false when there is none (the admin is shown the link). */
export type InvitationMailer = (mail: { to: string; name: string; link: string; days: number }) => Promise<boolean>;

/**
 * An admin invites a colleague: the agent exists at once (assignable, shown as "invited"), with a password nobody
 * knows, until they choose one through the link. The link is mailed when an email inbox can send, otherwise given
 * to the admin once; only its hash is stored.
 */
export async function inviteAgent(
  deps: AgentAccessDeps & { publicUrl: string; mailer: InvitationMailer },
  input: { email: string; name: string; role: AgentRole },
  actorId: string,
): Promise<{ agent: AgentView; link: string | null; emailed: boolean }> {
  const created = await createAgent(deps.db, { ...input, password: randomToken(24) }, actorId);
  const { link } = await newInvitation(deps, created.id, actorId);
  const emailed = await deps.mailer({ to: created.email, name: created.name, link, days: INVITATION_DAYS });
  return { agent: { ...created, status: 'invited' }, link: emailed ? null : link, emailed };
}

async function newInvitation(deps: AgentAccessDeps & { publicUrl: string }, agentId: string, actorId: string) {
  const token = randomToken(24);
  await deps.db.transaction(async (tx) => {
    await tx.insert(agentInvitations).values({
      tokenHash: sha256(token),
      agentId,
      createdBy: actorId,
      expiresAt: new Date(Date.now() + INVITATION_DAYS * 86_400_000),
    });
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId,
      action: 'agent.invited',
      targetType: 'agent',
      targetId: agentId,
      details: { days: INVITATION_DAYS },
    });
  });
  return { link: `${deps.publicUrl.replace(/\/$/, '')}/inbox/#/invite/${token}` };
}

async function pendingInvitation(deps: AgentAccessDeps, token: string) {
  const [row] = await deps.db
    .select({ agent: agents })
    .from(agentInvitations)
    .innerJoin(agents, eq(agents.id, agentInvitations.agentId))
    .where(and(eq(agentInvitations.tokenHash, sha256(token)), gt(agentInvitations.expiresAt, new Date())));
  if (!row || row.agent.disabledAt)
    throw new DomainError(404, 'invitation_not_found', 'This invitation link is not valid or has expired');
  return row.agent;
}

/** Who an invitation is for (the page asks them to choose a password). */
export async function describeInvitation(deps: AgentAccessDeps, token: string) {
  const agent = await pendingInvitation(deps, token);
  return { name: agent.name, email: agent.email };
}

/** The invited agent chooses their password: the invitation is used up, and they can sign in. */
export async function acceptInvitation(deps: AgentAccessDeps, token: string, password: string): Promise<string> {
  const agent = await pendingInvitation(deps, token);
  const passwordHash = await hashPassword(password);
  await deps.db.transaction(async (tx) => {
    const [used] = await tx
      .delete(agentInvitations)
      .where(eq(agentInvitations.tokenHash, sha256(token)))
      .returning({ agentId: agentInvitations.agentId });
    if (!used) throw conflict('invitation_used', 'This invitation was used already');
    await tx.delete(agentInvitations).where(eq(agentInvitations.agentId, agent.id));
    await tx.update(agents).set({ passwordHash, mustChangePassword: false }).where(eq(agents.id, agent.id));
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId: agent.id,
      action: 'agent.invitation_accepted',
      targetType: 'agent',
      targetId: agent.id,
      details: {},
    });
  });
  return agent.email;
}
