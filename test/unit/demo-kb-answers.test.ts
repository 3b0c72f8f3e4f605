import { beforeAll, describe, expect, it } from 'vitest';
import { createEmbedder } from '../../bot/embedders/index.ts';
import type { LanguageBots } from '../../bot/language-bots.ts';
import { buildServedBots } from '../../bot/served-bots.ts';
import { DEMO_LANGUAGES, demoKb } from '../../server/demo/kb.ts';
import { DEMO_KB_HELDOUT } from '../fixtures/demo-kb-heldout.ts';
import { LANGUAGE_EVAL } from '../fixtures/bot-languages.ts';

const normalize = (q: string) =>
  q
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
const kbExamples = new Set(demoKb.flatMap((a) => [a.title, ...a.questions].map(normalize)));

/**
 * The demo answers its own FAQ: the bots the server builds from the demo KB with its default settings
 * (server/bot/runner.ts: the hybrid embedder for English, the lexical one for the other languages, each
 * index's recommended threshold), asked what customers ask in words that are not the KB's example questions.
 */
describe('the served demo bot answers what its knowledge base covers (issue 16)', () => {
  let bots: LanguageBots;
  beforeAll(async () => {
    bots = await buildServedBots({
      embedder: await createEmbedder({ kind: 'hybrid' }),
      otherLanguages: await createEmbedder({ kind: 'lexical' }),
      articles: demoKb.map((a) => ({ ...a, id: a.key })),
      policy: {},
    });
  }, 120_000);
  const fresh = { status: 'bot' as const, assigneeId: null, turns: [] };

  it.each([
    // The two questions the demo handed off before (found from outside).
    ['sv', 'Hur lång tid tar leveransen?', 'shipping'],
    ['de', 'Wie kann ich etwas zurückschicken?', 'returns'],
    ['en', 'How long does delivery take?', 'shipping'],
    ['de', 'Wann bekomme ich mein Geld zurück?', 'returns'],
    ['fr', 'Je voudrais annuler ma commande', 'change'],
    ['fi', 'Unohdin salasanan', 'password'],
    ['sv', 'Hur lång tid tar det att få pengarna tillbaka?', 'returns'],
  ])('%s "%s" is answered with the %s article', async (language, text, key) => {
    expect(kbExamples.has(normalize(text))).toBe(false);
    const decision = await bots.decide(fresh, text, language);
    expect(decision).toMatchObject({ action: 'answer', articleId: key });
  });

  it.each([
    ['en', 'How much does the two-man tent cost?'],
    ['de', 'Was kostet ein Zelt für zwei?'],
    ['fr', 'Quel est le prix de la tente pour deux ?'],
    ['fi', 'Mitä teltta maksaa?'],
    ['sv', 'Vad kostar ett tält?'],
  ])('%s "%s" (a price the KB does not state) goes to a person', async (language, text) => {
    expect(await bots.decide(fresh, text, language)).toMatchObject({ action: 'handoff', reason: 'low_confidence' });
  });

  it('no held-out question of bench:demokb is an example question of the KB (they measure answers, not recall)', () => {
    const heldOut = DEMO_LANGUAGES.flatMap((l) => [
      ...Object.values(DEMO_KB_HELDOUT[l].inKb).flat(),
      ...DEMO_KB_HELDOUT[l].offTopic,
    ]);
    expect(heldOut).toHaveLength(5 * (9 * 8 + 15));
    expect(heldOut.filter((q) => kbExamples.has(normalize(q)))).toEqual([]);
  });

  it('no evaluation question of bench:botlang is an example question of the KB either', () => {
    const evaluation = Object.values(LANGUAGE_EVAL).flatMap((e) => [...e.inScope.map(([, q]) => q), ...e.offTopic]);
    expect(evaluation.filter((q) => kbExamples.has(normalize(q)))).toEqual([]);
  });
});
