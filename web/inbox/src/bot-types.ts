/**
 * The bot and knowledge-base API's shapes (.tmp/BOT_API.md). Views the server exports (server/bot/views.ts)
 * and the 'bot:decision' socket event (server/realtime/event-map.ts) are re-exported type-only, so a change on
 * the server fails the inbox typecheck; the article and the try result are declared only inside the server's
 * routes, so they are typed here after the contract.
 */
import type { BotDecisionView, BotSettingsView } from '../../../server/bot/views.ts';

export type { BotDecisionView };

export type KbArticle = {
  id: string;
  title: string;
  body: string;
  /** BCP 47, e.g. "en", "de", "pt-BR". */
  language: string;
  /** Example questions the bot matches customer messages against. */
  questions: string[];
  createdAt: string;
  updatedAt: string;
};
export type KbArticleInput = Pick<KbArticle, 'title' | 'body' | 'language' | 'questions'>;

/** `threshold` 0..1: the bot answers only at or above it; `ready`: the index over the articles is built. */
export type BotSettings = BotSettingsView;
export type BotSettingsPatch = Partial<Pick<BotSettings, 'enabled' | 'embedder' | 'threshold'>>;

/** An article the bot considered, with its calibrated score (0..1); `title` is '' once the article is deleted. */
export type BotCandidate = BotDecisionView['candidates'][number];
export type BotAction = BotDecisionView['action'];

/** POST /api/bot/try: what the bot would do with a question (the route's own response shape). */
export type BotTryResult = {
  action: BotAction;
  confidence: number | null;
  reason: string;
  article: { id: string; title: string } | null;
  candidates: BotCandidate[];
};
