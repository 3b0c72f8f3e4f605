import { eq, sql } from 'drizzle-orm';
import type { Services } from '../services.ts';
import type { VisitorClaims } from '../security/tokens.ts';
import type { ConversationStatus } from '../../drizzle/schema/enums.ts';
import { conversations, satisfactionRatings } from '../../drizzle/schema/index.ts';
import { conflict, notFound } from './errors.ts';
import { assertActiveVisitor, visitorConversationId } from './widget.ts';

export type RatingState = { conversationId: string | null; status: ConversationStatus | null; score: number | null };

/** What the widget needs to decide whether to ask "How did we do?": the conversation's status and any rating given. */
export async function visitorRating(services: Services, visitor: VisitorClaims): Promise<RatingState> {
  await assertActiveVisitor(services, visitor);
  const conversationId = await visitorConversationId(services, visitor);
  if (!conversationId) return { conversationId: null, status: null, score: null };
  const [row] = await services.db
    .select({ status: conversations.status, score: satisfactionRatings.score })
    .from(conversations)
    .leftJoin(satisfactionRatings, eq(satisfactionRatings.conversationId, conversations.id))
    .where(eq(conversations.id, conversationId));
  return { conversationId, status: row?.status ?? null, score: row?.score ?? null };
}

/**
 * The visitor rates their resolved conversation (1..5). Asked only after resolution, so only then accepted;
 * a second answer replaces the first (one rating per conversation).
 */
export async function rateConversation(
  services: Services,
  visitor: VisitorClaims,
  score: number,
): Promise<RatingState> {
  await assertActiveVisitor(services, visitor);
  const conversationId = await visitorConversationId(services, visitor);
  if (!conversationId) throw notFound('Conversation');
  const [conversation] = await services.db
    .select({ status: conversations.status })
    .from(conversations)
    .where(eq(conversations.id, conversationId));
  if (conversation?.status !== 'resolved')
    throw conflict('not_resolved', 'A conversation can be rated once it is resolved');
  await services.db
    .insert(satisfactionRatings)
    .values({ conversationId, score })
    .onConflictDoUpdate({ target: satisfactionRatings.conversationId, set: { score, ratedAt: sql`now()` } });
  return { conversationId, status: 'resolved', score };
}
