import { describe, expect, it } from 'vitest';
import { detectHumanRequest } from '../../bot/human-request.ts';
import { conversationLanguage, detectLanguage } from '../../bot/language.ts';
import { BOT_TEXTS, PERSON_WORD } from '../../bot/language-texts.ts';
import { LANGUAGE_EVAL } from '../fixtures/bot-languages.ts';
import { DEMO_LANGUAGES, demoKb } from '../../server/demo/kb.ts';

describe('"I want a human" in five languages, and questions about humans (issue 16 item 5)', () => {
  it.each([
    ['en', 'I want a human'],
    ['en', 'human please'],
    ['en', 'Can I speak to someone?'],
    ['de', 'Ich will einen Menschen'],
    ['de', 'Mensch bitte'],
    ['de', 'Kann ich mit jemandem sprechen?'],
    ['fr', 'Je veux un humain'],
    ['fr', 'Je voudrais parler à un conseiller'],
    ['fi', 'Haluan ihmisen'],
    ['fi', 'Voinko puhua asiakaspalvelijan kanssa?'],
    ['sv', 'Jag vill ha en människa'],
    ['sv', 'Kan jag prata med någon?'],
  ])('%s: "%s" hands off', (language, text) => {
    expect(detectHumanRequest(text)).toBe(language);
  });

  it.each([
    'what is the interesting trivia about human bodies',
    'how many bones does a human have',
    'tell me about human rights',
    'wie viele Knochen hat der menschliche Körper',
    'Wie viele Knochen hat ein Mensch?',
    'combien d’os compte le corps humain',
    'quelle est la nature humaine',
    'montako luuta ihmiskehossa on',
    'montako ihmistä asuu berliinissä',
    'hur många ben finns det i människokroppen',
  ])('"%s" is a question, not a request for a person', (text) => {
    expect(detectHumanRequest(text)).toBeNull();
  });

  it('none of the evaluation or example questions is taken for a request for a person', () => {
    const texts = [
      ...Object.values(LANGUAGE_EVAL).flatMap((e) => [...e.inScope.map(([, q]) => q), ...e.offTopic]),
      ...demoKb.flatMap((a) => a.questions),
    ];
    expect(texts.filter((t) => detectHumanRequest(t) !== null)).toEqual([]);
  });

  it.each(DEMO_LANGUAGES)('the %s disclosure names a word that reaches a person, and that word does', (language) => {
    const texts = BOT_TEXTS[language]!;
    expect(texts.disclosure).toContain(PERSON_WORD[language]);
    expect(detectHumanRequest(PERSON_WORD[language]!)).toBe(language);
    expect(texts.disclosure).toMatch(/automated|automatischer|automatique|automaattinen|automatisk/);
  });
});

describe('the customer language (issue 16 item 5)', () => {
  it.each(DEMO_LANGUAGES)('detects %s on every evaluation question', (language) => {
    const e = LANGUAGE_EVAL[language];
    const texts = [...e.inScope.map(([, q]) => q), ...e.offTopic];
    const wrong = texts.filter((t) => detectLanguage(t).language !== language);
    // Measured 100 % on these (bench:botlang); one miss in 100 is allowed for future fixture edits.
    expect(wrong.length).toBeLessThanOrEqual(1);
  });

  it('keeps the conversation language when a message is too short to tell', () => {
    expect(detectLanguage('danke').reliable).toBe(false);
    expect(conversationLanguage(['Wo ist mein Paket?', 'danke'], 'en')).toBe('de');
    expect(conversationLanguage(['hi'], 'en')).toBe('en');
    expect(conversationLanguage(['Hola, ¿dónde está mi pedido?'], 'en')).toBe('es');
  });
});
