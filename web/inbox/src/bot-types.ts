/**
 * The bot and knowledge-base API's shapes: the server's response schemas (server/bot/views.ts,
 * server/http/views/kb.ts), imported type-only, so a change on the server fails the inbox typecheck.
 */
import type { BotCurveView, BotDecisionView, BotSettingsView, BotTryResultView } from '../../../server/bot/views.ts';
import type { KbArticleInput, KbArticleList, KbArticleResult, KbArticleView } from '../../../server/http/views/kb.ts';

export type { BotDecisionView, KbArticleInput, KbArticleList, KbArticleResult };

export type KbArticle = KbArticleView;

export type BotSettings = BotSettingsView;
export type BotSettingsPatch = Partial<Pick<BotSettings, 'enabled' | 'embedder'>> & { threshold?: number | null };

/** GET /api/bot/curve: expected precision and coverage per threshold at 3 %, 18 % and 50 % off-topic traffic. */
export type BotCurve = BotCurveView;

export type BotCandidate = BotDecisionView['candidates'][number];
export type BotAction = BotDecisionView['action'];

/** POST /api/bot/try: what the bot would do with a question. */
export type BotTryResult = BotTryResultView;
