import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { VisitorClaims } from '../security/tokens.ts';
import type { RatingStateView } from '../http/views/analytics.ts';
import { conversations, satisfactionRatings } from '../../drizzle/schema/index.ts';
import { conflict, notFound } from './errors.ts';
import { assertActiveVisitor, visitorConversationId } from './widget.ts';
import { excludedFrom, excludedSql } from '../privacy/restriction.ts';

/** The widget's rating question needs only the database. */
export type SatisfactionDeps = { db: Db };

export type RatingState = RatingStateView;

/** What the widget needs to decide whether to ask "How did we do?": the conversation's status and any rating given. */
export async function visitorRating(deps: SatisfactionDeps, visitor: VisitorClaims): Promise<RatingState> {
  await assertActiveVisitor(deps, visitor);
  const conversationId = await visitorConversationId(deps, visitor);
  // No conversation yet: the widget keeps this answer until the conversation is resolved (the status then comes
  // over the socket), so `ask` must already say whether this contact may be asked, not "no conversation".
  if (!conversationId) {
    const restricted = await excludedFrom(deps.db, visitor.contactId, 'optional_messages');
    return { conversationId: null, status: null, score: null, ask: !restricted };
  }
  const [row] = await deps.db
    .select({
      status: conversations.status,
      score: satisfactionRatings.score,
      // A survey is a sending the law does not require (server/privacy/restriction.ts).
      restricted: excludedSql(sql`${conversations.contactId}`, 'optional_messages').mapWith(Boolean),
    })
    .from(conversations)
    .leftJoin(satisfactionRatings, eq(satisfactionRatings.conversationId, conversations.id))
    .where(eq(conversations.id, conversationId));
  return { conversationId, status: row?.status ?? null, score: row?.score ?? null, ask: row ? !row.restricted : false };
}

/**
 * The visitor rates their resolved conversation (1..5). Asked only after resolution, so only then accepted;
 * a second answer replaces the first (one rating per conversation).
 */
export async function rateConversation(
  deps: SatisfactionDeps,
  visitor: VisitorClaims,
  score: number,
): Promise<RatingState> {
  await assertActiveVisitor(deps, visitor);
  const conversationId = await visitorConversationId(deps, visitor);
  if (!conversationId) throw notFound('Conversation');
  const [conversation] = await deps.db
    .select({
      status: conversations.status,
      restricted: excludedSql(sql`${conversations.contactId}`, 'optional_messages').mapWith(Boolean),
    })
    .from(conversations)
    .where(eq(conversations.id, conversationId));
  if (conversation?.restricted) throw conflict('not_asked', 'This conversation is not asked for a rating');
  if (conversation?.status !== 'resolved')
    throw conflict('not_resolved', 'A conversation can be rated once it is resolved');
  await deps.db
    .insert(satisfactionRatings)
    .values({ conversationId, score })
    .onConflictDoUpdate({ target: satisfactionRatings.conversationId, set: { score, ratedAt: sql`now()` } });
  return { conversationId, status: 'resolved', score, ask: true };
}
