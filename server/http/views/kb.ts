import { Type, type Static } from 'typebox';
import { KB_LIMITS } from '../../../bot/kb.ts';

/** The shapes of /api/kb: knowledge-base articles the bot answers from. */
export const KbArticleView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  title: Type.String(),
  body: Type.String(),
  /** BCP 47, e.g. "en", "de", "pt-BR". */
  language: Type.String(),
  /** Example questions the bot matches customer messages against. */
  questions: Type.Array(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type KbArticleView = Static<typeof KbArticleView>;

export const KbArticleList = Type.Object({ items: Type.Array(KbArticleView) });
export type KbArticleList = Static<typeof KbArticleList>;

export const KbArticleResult = Type.Object({ article: KbArticleView });
export type KbArticleResult = Static<typeof KbArticleResult>;

/** What an admin writes: the body of POST (all fields) and PATCH (some) /api/kb/articles. */
export const KbArticleInput = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 200 }),
  body: Type.String({ minLength: 1, maxLength: 20_000 }),
  language: Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z]{2,4})?$', description: 'BCP 47 language, e.g. en, de, fi' }),
  questions: Type.Array(Type.String({ minLength: 1, maxLength: 500 }), {
    maxItems: KB_LIMITS.questionsPerArticle,
    description: 'Example questions the bot matches',
  }),
});
export type KbArticleInput = Static<typeof KbArticleInput>;
