import { and, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { conversations, inboxes, teamInboxes, teams } from '../../drizzle/schema/index.ts';
import type { ConversationView } from '../http/views.ts';
import { appendAudit } from '../privacy/audit.ts';
import { changeConversation, type Actor, type ConversationDeps } from './conversations.ts';
import { DomainError, notFound } from './errors.ts';

/**
 * Assigns a conversation to a team (or to none). The team must serve the conversation's inbox: a team that does
 * not work the inbox would hold a conversation its restricted members cannot open. The team row is read FOR SHARE,
 * so an admin's concurrent change of the team's inboxes (FOR UPDATE in saveTeam) waits for this and then clears it.
 */
export async function assignTeam(
  deps: ConversationDeps,
  conversationId: string,
  teamId: string | null,
  actor: Actor,
): Promise<ConversationView> {
  return changeConversation(deps, conversationId, actor, async (tx, current) => {
    let teamName: string | null = null;
    if (teamId) {
      const [team] = await tx.select({ name: teams.name }).from(teams).where(eq(teams.id, teamId)).for('share');
      if (!team) throw notFound('Team');
      const [serves] = await tx
        .select({ inboxId: teamInboxes.inboxId })
        .from(teamInboxes)
        .where(and(eq(teamInboxes.teamId, teamId), eq(teamInboxes.inboxId, current.inboxId)));
      if (!serves) {
        const [inbox] = await tx.select({ name: inboxes.name }).from(inboxes).where(eq(inboxes.id, current.inboxId));
        throw new DomainError(
          409,
          'team_outside_inbox',
          `Team ${team.name} does not work the inbox ${inbox?.name ?? ''}; an admin can add the inbox to the team`,
        );
      }
      teamName = team.name;
    }
    if (current.teamId === teamId) return null;
    await tx.update(conversations).set({ teamId, updatedAt: new Date() }).where(eq(conversations.id, conversationId));
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId: actor.id,
      action: 'conversation.team_changed',
      targetType: 'conversation',
      targetId: conversationId,
      details: { contactId: current.contactId, teamId, previousTeamId: current.teamId },
    });
    return teamName && teamId
      ? { body: `Assigned to team ${teamName}`, code: 'team_assigned', args: { teamId, team: teamName } }
      : { body: 'Removed from its team', code: 'team_removed' };
  });
}

/**
 * A team stopped serving some inboxes: its conversations there lose the team (inside the admin's transaction).
 * Returns them, so the caller can tell the agents who see them after commit.
 */
export async function releaseTeamConversations(tx: Db, teamId: string, servedInboxIds: string[]) {
  return tx
    .update(conversations)
    .set({ teamId: null, updatedAt: sql`now()` })
    .where(
      and(
        eq(conversations.teamId, teamId),
        servedInboxIds.length ? notInArray(conversations.inboxId, servedInboxIds) : undefined,
      ),
    )
    .returning({ id: conversations.id, inboxId: conversations.inboxId });
}

/** The conversations of these teams (before a delete sets their team to null). */
export async function teamConversations(tx: Db, teamIds: string[]) {
  if (teamIds.length === 0) return [];
  return tx
    .select({ id: conversations.id, inboxId: conversations.inboxId })
    .from(conversations)
    .where(inArray(conversations.teamId, teamIds));
}
