import { asc, eq, inArray, sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/client.ts';
import { agentInboxes, agents, inboxes, teamInboxes, teamMembers, teams } from '../../drizzle/schema/index.ts';
import type { InboxScope } from '../../drizzle/schema/enums.ts';
import type { AgentAccessView, TeamSummary, TeamView } from '../http/views/agents.ts';
import type { DomainEventBus } from './events.ts';
import { appendAudit } from '../privacy/audit.ts';
import { badRequest, conflict, notFound } from './errors.ts';
import { canSee, parseInboxIds, visibleInboxIdsSql, type InboxIds } from './scope.ts';
import { releaseTeamConversations, teamConversations } from './conversation-team.ts';

/**
 * Teams (name, members, inboxes) and each agent's inbox access. Every change is audited (ids only) and, after
 * commit, tells the realtime layer whose sockets must move to other inbox rooms (agents.scope_changed).
 */
export type TeamDeps = { db: Db; events: Pick<DomainEventBus, 'publish'> };
// After any change to teams every agent's team lists (filter, picker) are stale: teams.changed says so.

const unique = (ids: readonly string[]) => [...new Set(ids)];

async function assertKnown(tx: Db, what: 'inbox' | 'agent', ids: string[]) {
  if (ids.length === 0) return;
  const table = what === 'inbox' ? inboxes : agents;
  const found = await tx.select({ id: table.id }).from(table).where(inArray(table.id, ids));
  if (found.length !== ids.length) throw badRequest(`unknown_${what}`, `One of the ${what} ids does not exist`);
}

export async function listTeams(db: Db): Promise<TeamView[]> {
  const [rows, members, inboxRows] = await Promise.all([
    db.select().from(teams).orderBy(asc(teams.name)),
    db.select().from(teamMembers),
    db.select().from(teamInboxes),
  ]);
  return rows.map((t) => ({
    id: t.id,
    name: t.name,
    memberIds: members.filter((m) => m.teamId === t.id).map((m) => m.agentId),
    inboxIds: inboxRows.filter((i) => i.teamId === t.id).map((i) => i.inboxId),
  }));
}

/**
 * The teams an agent may pick or filter by: those serving at least one inbox the agent sees (every team for an
 * agent who sees every inbox), each with only the visible inboxes.
 */
export async function teamDirectory(db: Db, agentId: string, scope: InboxIds): Promise<TeamSummary[]> {
  return (await listTeams(db)).flatMap((t) => {
    const inboxIds = t.inboxIds.filter((id) => canSee(scope, id));
    if (scope !== null && inboxIds.length === 0) return [];
    return [{ id: t.id, name: t.name, inboxIds, mine: t.memberIds.includes(agentId) }];
  });
}

async function teamView(db: Db, id: string): Promise<TeamView> {
  const view = (await listTeams(db)).find((t) => t.id === id);
  if (!view) throw notFound('Team');
  return view;
}

type TeamInput = { name: string; memberIds: string[]; inboxIds: string[] };

/** Creates a team (id null) or replaces a team's name, members and inboxes. */
export async function saveTeam(deps: TeamDeps, id: string | null, input: TeamInput, actorId: string) {
  const memberIds = unique(input.memberIds);
  const inboxIds = unique(input.inboxIds);
  const name = input.name.trim();
  if (!name) throw badRequest('empty_name', 'A team needs a name');
  const { teamId, affected } = await deps.db.transaction(async (tx) => {
    await assertKnown(tx, 'agent', memberIds);
    await assertKnown(tx, 'inbox', inboxIds);
    let teamId = id;
    let before: string[] = [];
    let released = 0;
    if (teamId === null) {
      const [row] = await tx.insert(teams).values({ name }).onConflictDoNothing().returning({ id: teams.id });
      if (!row) throw conflict('team_exists', 'A team with this name already exists');
      teamId = row.id;
    } else {
      const [row] = await tx.select({ id: teams.id }).from(teams).where(eq(teams.id, teamId)).for('update');
      if (!row) throw notFound('Team');
      const [clash] = await tx.select({ id: teams.id }).from(teams).where(eq(teams.name, name));
      if (clash && clash.id !== teamId) throw conflict('team_exists', 'A team with this name already exists');
      await tx.update(teams).set({ name }).where(eq(teams.id, teamId));
      before = (
        await tx.select({ id: teamMembers.agentId }).from(teamMembers).where(eq(teamMembers.teamId, teamId))
      ).map((m) => m.id);
      await tx.delete(teamMembers).where(eq(teamMembers.teamId, teamId));
      await tx.delete(teamInboxes).where(eq(teamInboxes.teamId, teamId));
    }
    const tid = teamId;
    if (memberIds.length) await tx.insert(teamMembers).values(memberIds.map((agentId) => ({ teamId: tid, agentId })));
    if (inboxIds.length) await tx.insert(teamInboxes).values(inboxIds.map((inboxId) => ({ teamId: tid, inboxId })));
    // A team only ever holds conversations of the inboxes it serves (server/domain/conversation-team.ts).
    if (id !== null) released = (await releaseTeamConversations(tx, tid, inboxIds)).length;
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId,
      action: id === null ? 'team.created' : 'team.updated',
      targetType: 'team',
      targetId: tid,
      details: { memberIds, inboxIds, ...(released ? { releasedConversations: released } : {}) },
    });
    return { teamId: tid, affected: unique([...before, ...memberIds]) };
  });
  if (affected.length) deps.events.publish('agents.scope_changed', { agentIds: affected });
  deps.events.publish('teams.changed', {});
  return teamView(deps.db, teamId);
}

export async function deleteTeam(deps: TeamDeps, id: string, actorId: string): Promise<void> {
  const affected = await deps.db.transaction(async (tx) => {
    const members = await tx.select({ id: teamMembers.agentId }).from(teamMembers).where(eq(teamMembers.teamId, id));
    // The foreign key sets their team to null; the audit entry says how many lost it.
    const held = await teamConversations(tx, [id]);
    const [row] = await tx.delete(teams).where(eq(teams.id, id)).returning({ id: teams.id });
    if (!row) throw notFound('Team');
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId,
      action: 'team.deleted',
      targetType: 'team',
      targetId: id,
      ...(held.length ? { details: { releasedConversations: held.length } } : {}),
    });
    return members.map((m) => m.id);
  });
  if (affected.length) deps.events.publish('agents.scope_changed', { agentIds: affected });
  deps.events.publish('teams.changed', {});
}

/** Every agent's inbox access, for the admins' Agents page. */
export async function listAccess(db: Db): Promise<AgentAccessView[]> {
  const [rows, chosen, memberships] = await Promise.all([
    db.execute(sql`select a.id, a.inbox_scope, ${visibleInboxIdsSql(sql.raw('a'))} as visible
      from agents a order by a.name`),
    db.select().from(agentInboxes),
    db.select().from(teamMembers),
  ]);
  return rowsOf<{ id: string; inbox_scope: InboxScope; visible: unknown }>(rows).map((a) => ({
    agentId: a.id,
    scope: a.inbox_scope,
    inboxIds: chosen.filter((c) => c.agentId === a.id).map((c) => c.inboxId),
    teamIds: memberships.filter((m) => m.agentId === a.id).map((m) => m.teamId),
    visibleInboxIds: parseInboxIds(a.visible) as string[] | null,
  }));
}

/** Sets an agent's scope, chosen inboxes and team memberships at once (what the admin's dialog shows). */
export async function setAccess(
  deps: TeamDeps,
  agentId: string,
  input: { scope: InboxScope; inboxIds: string[]; teamIds: string[] },
  actorId: string,
): Promise<AgentAccessView> {
  const inboxIds = unique(input.inboxIds);
  const teamIds = unique(input.teamIds);
  await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .update(agents)
      .set({ inboxScope: input.scope })
      .where(eq(agents.id, agentId))
      .returning({ id: agents.id });
    if (!row) throw notFound('Agent');
    await assertKnown(tx, 'inbox', inboxIds);
    const knownTeams = teamIds.length
      ? await tx.select({ id: teams.id }).from(teams).where(inArray(teams.id, teamIds))
      : [];
    if (knownTeams.length !== teamIds.length) throw badRequest('unknown_team', 'One of the team ids does not exist');
    await tx.delete(agentInboxes).where(eq(agentInboxes.agentId, agentId));
    await tx.delete(teamMembers).where(eq(teamMembers.agentId, agentId));
    if (inboxIds.length) await tx.insert(agentInboxes).values(inboxIds.map((inboxId) => ({ agentId, inboxId })));
    if (teamIds.length) await tx.insert(teamMembers).values(teamIds.map((teamId) => ({ agentId, teamId })));
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId,
      action: 'agent.access_changed',
      targetType: 'agent',
      targetId: agentId,
      details: { scope: input.scope, inboxIds, teamIds },
    });
  });
  deps.events.publish('agents.scope_changed', { agentIds: [agentId] });
  const view = (await listAccess(deps.db)).find((a) => a.agentId === agentId);
  return view!;
}
