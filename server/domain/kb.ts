import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { kbArticles } from '../../drizzle/schema/index.ts';
import { appendAudit } from '../privacy/audit.ts';
import { notFound } from './errors.ts';
import type { DomainEventBus } from './events.ts';

import type { KbArticleInput, KbArticleView } from '../http/views/kb.ts';

export type { KbArticleInput, KbArticleView };

const toView = (a: typeof kbArticles.$inferSelect): KbArticleView => ({
  id: a.id,
  title: a.title,
  body: a.body,
  language: a.language,
  questions: a.questions,
  createdAt: a.createdAt.toISOString(),
  updatedAt: a.updatedAt.toISOString(),
});

const clean = (input: Partial<KbArticleInput>) => ({
  ...input,
  ...(input.questions ? { questions: [...new Set(input.questions.map((q) => q.trim()).filter(Boolean))] } : {}),
});

export async function listArticles(db: Db): Promise<KbArticleView[]> {
  return (await db.select().from(kbArticles).orderBy(asc(kbArticles.title))).map(toView);
}

export async function getArticle(db: Db, id: string): Promise<KbArticleView> {
  const [row] = await db.select().from(kbArticles).where(eq(kbArticles.id, id));
  if (!row) throw notFound('Article');
  return toView(row);
}

/** Every change tells the bot to rebuild its index (the KB is small; a rebuild takes milliseconds per article). */
export async function createArticle(db: Db, events: DomainEventBus, input: KbArticleInput, actorId: string) {
  const row = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(kbArticles)
      .values(clean(input) as KbArticleInput)
      .returning();
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId,
      action: 'kb.created',
      targetType: 'kb_article',
      targetId: row!.id,
    });
    return row!;
  });
  events.publish('kb.changed', { articleId: row.id });
  return toView(row);
}

export async function updateArticle(
  db: Db,
  events: DomainEventBus,
  id: string,
  patch: Partial<KbArticleInput>,
  actorId: string,
) {
  const row = await db.transaction(async (tx) => {
    const [row] = await tx
      .update(kbArticles)
      .set({ ...clean(patch), updatedAt: new Date() })
      .where(eq(kbArticles.id, id))
      .returning();
    if (!row) throw notFound('Article');
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId,
      action: 'kb.updated',
      targetType: 'kb_article',
      targetId: id,
      details: { fields: Object.keys(patch) },
    });
    return row;
  });
  events.publish('kb.changed', { articleId: id });
  return toView(row);
}

export async function deleteArticle(db: Db, events: DomainEventBus, id: string, actorId: string) {
  await db.transaction(async (tx) => {
    const deleted = await tx.delete(kbArticles).where(eq(kbArticles.id, id)).returning({ id: kbArticles.id });
    if (!deleted.length) throw notFound('Article');
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId,
      action: 'kb.deleted',
      targetType: 'kb_article',
      targetId: id,
    });
  });
  events.publish('kb.changed', { articleId: id });
}
