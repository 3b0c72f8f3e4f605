/**
 * Learning from agents, with a purpose (issue 16 item 8): a customer's question that an agent answered can be
 * proposed as an example question of a KB article; an admin reviews the queue on the KB page and accepts (the
 * question, as the admin edited it, joins the article's example questions) or rejects. Only contacts whose
 * current consent grants `bot_training` (off unless recorded) can be proposed, and a withdrawal takes their
 * pending proposals out of the queue at once (the queue is filtered by current consent on every read, and
 * accepting checks again).
 */
import { openMessageTexts, type TextKeys } from '../domain/message-text.ts';
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { DomainEventBus } from '../domain/events.ts';
import { conversations, kbArticles, kbExampleProposals, messages } from '../../drizzle/schema/index.ts';
import { currentConsent } from '../privacy/consent.ts';
import { DomainError } from '../domain/errors.ts';
import { notFound } from '../domain/errors.ts';
import { appendAudit } from '../privacy/audit.ts';
import { updateArticle } from '../domain/kb.ts';

export const LEARNING_PURPOSE = 'bot_training' as const;

export type ProposalView = {
  id: string;
  articleId: string;
  articleTitle: string;
  articleLanguage: string;
  conversationId: string;
  /** The customer's message as it is now (after any redaction). */
  question: string;
  createdAt: string;
};

export async function learningAllowed(db: Db, contactId: string): Promise<boolean> {
  return (await currentConsent(db, contactId)).some((c) => c.purpose === LEARNING_PURPOSE && c.granted);
}

const notAllowed = () =>
  new DomainError(
    409,
    'purpose_not_allowed',
    'This customer has not agreed that their questions may teach the bot (purpose "bot_training")',
  );

/** Proposes the customer's message `messageId` of the conversation as an example question of `articleId`. */
export async function propose(
  db: Db,
  input: { conversationId: string; messageId: string; articleId: string },
  agentId: string,
): Promise<void> {
  const [row] = await db
    .select({ contactId: conversations.contactId, authorKind: messages.authorKind, kind: messages.kind })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(and(eq(messages.id, input.messageId), eq(messages.conversationId, input.conversationId)));
  if (!row || row.authorKind !== 'contact' || row.kind !== 'message') throw notFound('Message');
  const [article] = await db.select({ id: kbArticles.id }).from(kbArticles).where(eq(kbArticles.id, input.articleId));
  if (!article) throw notFound('Article');
  if (!(await learningAllowed(db, row.contactId))) throw notAllowed();
  await db
    .insert(kbExampleProposals)
    .values({ ...input, proposedBy: agentId })
    .onConflictDoNothing();
}

/** The review queue: pending proposals of contacts whose consent still allows it, oldest first. */
export async function listProposals(db: Db, keys: TextKeys): Promise<ProposalView[]> {
  const stored = await db
    .select({
      id: kbExampleProposals.id,
      articleId: kbExampleProposals.articleId,
      articleTitle: kbArticles.title,
      articleLanguage: kbArticles.language,
      conversationId: kbExampleProposals.conversationId,
      contactId: conversations.contactId,
      messageId: messages.id,
      question: messages.body,
      createdAt: kbExampleProposals.createdAt,
    })
    .from(kbExampleProposals)
    .innerJoin(kbArticles, eq(kbArticles.id, kbExampleProposals.articleId))
    .innerJoin(messages, eq(messages.id, kbExampleProposals.messageId))
    .innerJoin(conversations, eq(conversations.id, kbExampleProposals.conversationId))
    .orderBy(asc(kbExampleProposals.createdAt));
  const opened = await openMessageTexts(
    keys,
    stored.map((r) => ({ id: r.messageId, body: r.question })),
  );
  // A question whose key is gone (the person was erased) has nothing left to review.
  const rows = stored.flatMap(({ messageId: _m, ...r }, i) =>
    opened[i]!.textUnreadable ? [] : [{ ...r, question: opened[i]!.body }],
  );
  const allowed = new Map<string, boolean>();
  const out: ProposalView[] = [];
  for (const { contactId, createdAt, ...r } of rows) {
    if (!allowed.has(contactId)) allowed.set(contactId, await learningAllowed(db, contactId));
    if (allowed.get(contactId)) out.push({ ...r, createdAt: createdAt.toISOString() });
  }
  return out;
}

async function proposalRow(db: Db, id: string) {
  const [row] = await db
    .select({
      id: kbExampleProposals.id,
      articleId: kbExampleProposals.articleId,
      contactId: conversations.contactId,
      questions: kbArticles.questions,
    })
    .from(kbExampleProposals)
    .innerJoin(conversations, eq(conversations.id, kbExampleProposals.conversationId))
    .innerJoin(kbArticles, eq(kbArticles.id, kbExampleProposals.articleId))
    .where(eq(kbExampleProposals.id, id));
  if (!row) throw notFound('Proposal');
  return row;
}

/** Accepts: `text` (the question as the admin edited it, without personal details) joins the article. */
export async function acceptProposal(db: Db, events: DomainEventBus, id: string, text: string, adminId: string) {
  const row = await proposalRow(db, id);
  if (!(await learningAllowed(db, row.contactId))) throw notAllowed();
  await updateArticle(db, events, row.articleId, { questions: [...row.questions, text] }, adminId);
  await db.transaction(async (tx) => {
    await tx.delete(kbExampleProposals).where(eq(kbExampleProposals.id, id));
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId: adminId,
      action: 'kb.example_accepted',
      targetType: 'kb_article',
      targetId: row.articleId,
    });
  });
}

export async function rejectProposal(db: Db, id: string, adminId: string) {
  const row = await proposalRow(db, id);
  await db.transaction(async (tx) => {
    await tx.delete(kbExampleProposals).where(eq(kbExampleProposals.id, id));
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId: adminId,
      action: 'kb.example_rejected',
      targetType: 'kb_article',
      targetId: row.articleId,
    });
  });
}
