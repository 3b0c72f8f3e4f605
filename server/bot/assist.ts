/**
 * Agent assist on the bot's own local model (no text leaves the server): for a conversation, the KB answers
 * that best match the customer's last message (in the customer's language, variables filled from what is
 * known, an unknown order number left as a gap for the agent) and similar resolved conversations with the
 * reply that resolved them. Only conversations the agent may see are searched.
 */
import { openNames } from '../domain/contact-fields.ts';
import { customerTexts as openedCustomerTexts, openMessageTexts, type TextKeys } from '../domain/message-text.ts';
import { and, asc, desc, eq, inArray, isNull, ne } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { conversations, contacts, kbArticles, messages } from '../../drizzle/schema/index.ts';
import { conversationLanguage } from '../../bot/language.ts';
import type { LanguageBots } from '../../bot/language-bots.ts';
import { embedAsSparse, type Embedder, type SparseVector } from '../../bot/embedders/types.ts';
import { inboxCondition, type InboxIds } from '../domain/scope.ts';
import { fillAnswer, orderNumberIn } from './answer-variables.ts';

export type ArticleSuggestion = { articleId: string; title: string; text: string; score: number };
export type SimilarConversation = {
  conversationId: string;
  question: string;
  reply: string;
  score: number;
  resolvedAt: string;
};
export type AssistView = {
  language: string | null;
  question: string | null;
  articles: ArticleSuggestion[];
  similar: SimilarConversation[];
};

/** How many resolved conversations (newest first) are compared, and how many are shown. */
const SIMILAR_POOL = 300;
const SIMILAR_SHOWN = 3;
/**
 * Below this cosine similarity a past conversation is not "similar". Low on purpose: agents read and choose;
 * a paraphrase sharing two words ("can i buy a gift card?" / "Do you sell gift cards for a birthday present?")
 * scores 0.24 on the lexical vectors alone.
 */
const SIMILAR_FLOOR = 0.2;
/** An article after the best one is suggested only when the bot gives it at least this probability (5 %). */
const ARTICLE_FLOOR = 0.05;
const ORDER_GAP: Record<string, string> = {
  en: '[order number]',
  de: '[Bestellnummer]',
  fr: '[numéro de commande]',
  fi: '[tilausnumero]',
  sv: '[ordernummer]',
};

/** Cosine similarity of two L2-normalized sparse vectors (indices sorted): their dot product. */
function dot(a: SparseVector, b: SparseVector): number {
  let sum = 0;
  for (let i = 0, j = 0; i < a.indices.length && j < b.indices.length;) {
    const x = a.indices[i]!;
    const y = b.indices[j]!;
    if (x === y) sum += a.values[i++]! * b.values[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return sum;
}

/** Filled from what is known; an order number nobody gave stays a visible gap for the agent to fill. */
export function suggestionText(
  body: string,
  known: { customerTexts: readonly string[]; contactName: string | null },
  language: string | null,
) {
  const orderNumber = orderNumberIn(known.customerTexts) ?? ORDER_GAP[language ?? 'en'] ?? ORDER_GAP.en!;
  return fillAnswer(body, { orderNumber, contactName: known.contactName }).text ?? body;
}

export function createAssist(db: Db, keys: TextKeys, languageBots: () => LanguageBots | null) {
  // Vectors of past customers' questions, by embedder and message id (a message's text does not change but
  // by redaction or erasure, which delete or rewrite the row and so its id's entry is never read again).
  const vectors = new Map<string, SparseVector>();
  async function embedAll(embedder: Embedder, items: Array<{ id: string; text: string }>) {
    const missing = items.filter((i) => !vectors.has(`${embedder.id}:${i.id}`));
    if (missing.length) {
      const embedded = await embedAsSparse(
        embedder,
        missing.map((m) => m.text),
      );
      missing.forEach((m, i) => vectors.set(`${embedder.id}:${m.id}`, embedded[i]!));
      if (vectors.size > 20_000) for (const key of [...vectors.keys()].slice(0, 5_000)) vectors.delete(key);
    }
    return items.map((i) => vectors.get(`${embedder.id}:${i.id}`)!);
  }

  async function similarResolved(
    embedder: Embedder,
    question: SparseVector,
    conversationId: string,
    scope: InboxIds,
  ): Promise<SimilarConversation[]> {
    const resolved = await db
      .select({ id: conversations.id, updatedAt: conversations.updatedAt })
      .from(conversations)
      .where(
        and(
          eq(conversations.status, 'resolved'),
          ne(conversations.id, conversationId),
          isNull(conversations.deletedAt),
          inboxCondition(conversations.inboxId, scope),
        ),
      )
      .orderBy(desc(conversations.updatedAt))
      .limit(SIMILAR_POOL);
    if (resolved.length === 0) return [];
    const stored = await db
      .select({
        id: messages.id,
        conversationId: messages.conversationId,
        authorKind: messages.authorKind,
        body: messages.body,
      })
      .from(messages)
      .where(
        and(
          inArray(
            messages.conversationId,
            resolved.map((r) => r.id),
          ),
          eq(messages.kind, 'message'),
          inArray(messages.authorKind, ['contact', 'agent']),
        ),
      )
      .orderBy(asc(messages.createdAt), asc(messages.id));
    const rows = (await openMessageTexts(keys, stored)).filter((m) => !m.textUnreadable);
    // Per conversation: the customer's first question and the agent's last reply (the one that resolved it).
    const pairs = new Map<string, { question?: { id: string; text: string }; reply?: string }>();
    for (const m of rows) {
      const pair = pairs.get(m.conversationId) ?? {};
      if (m.authorKind === 'contact' && !pair.question && m.body.trim()) pair.question = { id: m.id, text: m.body };
      if (m.authorKind === 'agent' && pair.question) pair.reply = m.body;
      pairs.set(m.conversationId, pair);
    }
    const complete = resolved.flatMap((r) => {
      const p = pairs.get(r.id);
      return p?.question && p.reply ? [{ ...r, question: p.question, reply: p.reply }] : [];
    });
    const embedded = await embedAll(
      embedder,
      complete.map((c) => c.question),
    );
    return complete
      .map((c, i) => ({
        conversationId: c.id,
        question: c.question.text,
        reply: c.reply,
        score: dot(question, embedded[i]!),
        resolvedAt: c.updatedAt.toISOString(),
      }))
      .filter((s) => s.score >= SIMILAR_FLOOR)
      .sort((a, b) => b.score - a.score)
      .slice(0, SIMILAR_SHOWN);
  }

  return {
    async suggestions(conversationId: string, scope: InboxIds): Promise<AssistView> {
      const [conversation] = await db
        .select({ contactId: contacts.id, sealedName: contacts.sealedName })
        .from(conversations)
        .innerJoin(contacts, eq(contacts.id, conversations.contactId))
        .where(eq(conversations.id, conversationId));
      const customerTexts = (await openedCustomerTexts(db, keys, conversationId)).filter((b) => b.trim() !== '');
      const bots = languageBots();
      const question = customerTexts.at(-1) ?? null;
      const language = customerTexts.length ? conversationLanguage(customerTexts, bots?.languages[0] ?? null) : null;
      if (!bots || !question) return { language, question, articles: [], similar: [] };
      const bot = language ? bots.bot(language) : undefined;
      const index = bot?.index ?? bots.bot(bots.languages[0] ?? 'en')?.index;
      if (!index) return { language, question, articles: [], similar: [] };
      // The head's probabilities: the runner-ups of a clear match come out at 0 %, which is no suggestion at all.
      const candidates = (bot ? (await index.match(question)).candidates : []).filter(
        (c, i) => i === 0 || c.score >= ARTICLE_FLOOR,
      );
      const articleRows = candidates.length
        ? await db
            .select()
            .from(kbArticles)
            .where(
              inArray(
                kbArticles.id,
                candidates.map((c) => c.articleId),
              ),
            )
        : [];
      const [contactName] = conversation
        ? await openNames(keys, [{ ...conversation, id: conversation.contactId }])
        : [null];
      const known = { customerTexts, contactName: contactName ?? null };
      const articles = candidates.flatMap((c) => {
        const a = articleRows.find((r) => r.id === c.articleId);
        return a
          ? [{ articleId: a.id, title: a.title, text: suggestionText(a.body, known, language), score: c.score }]
          : [];
      });
      const [vector] = await embedAsSparse(index.embedder, [question]);
      const similar = await similarResolved(index.embedder, vector!, conversationId, scope);
      return { language, question, articles, similar };
    },
  };
}
export type Assist = ReturnType<typeof createAssist>;
