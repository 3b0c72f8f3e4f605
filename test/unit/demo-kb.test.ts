import { describe, expect, it } from 'vitest';
import { DEMO_LANGUAGES, demoKb } from '../../server/demo/kb.ts';
import { ANSWER_VARIABLES, answerVariables, fillAnswer, orderNumberIn } from '../../server/bot/answer-variables.ts';
import { composeAnswer } from '../../server/bot/actions.ts';
import { BOT_TEXTS } from '../../bot/language-texts.ts';

/** Numbers the shop's policies state (server/demo/kb.ts): days, hours, years. Anything else is invented. */
const POLICY_NUMBERS = new Set(['1', '2', '3', '4', '5', '7', '30', '60']);
const numbers = (text: string) => new Set(text.replace(/\{\{[^}]*\}\}/g, '').match(/\d+/g) ?? []);

/** What the scan finds wrong with an answer (empty: nothing). */
function problems(body: string): string[] {
  const found: string[] = [];
  for (const name of answerVariables(body))
    if (!(ANSWER_VARIABLES as readonly string[]).includes(name)) found.push(`unknown placeholder {{${name}}}`);
  if (/\d{4,}/.test(body)) found.push('a number like an order or phone number');
  if (/[$€£]\s?\d|\d\s?(€|\$|£|eur\b|usd\b|kr\b|sek\b)/iu.test(body)) found.push('a price');
  if (/(?<![\p{L}\d])(\p{L}+)\s+\1(?![\p{L}\d])/iu.test(body)) found.push('a doubled word');
  return found;
}

describe('the demo knowledge base states no invented facts (issue 16 item 4)', () => {
  it('the scan catches what the Bitext answers said', () => {
    expect(problems('I can cancel order number 370795561790 for you.')).toEqual([
      'a number like an order or phone number',
    ]);
    expect(problems('The tent costs $1499.')).toContain('a price');
    expect(problems('Call our our support line.')).toEqual(['a doubled word']);
    expect(problems('Please cancel {{Order Number}} on {{Website URL}}.')).toEqual([
      'unknown placeholder {{Order Number}}',
      'unknown placeholder {{Website URL}}',
    ]);
  });

  it('has every article in English, German, French, Finnish and Swedish', () => {
    const keys = new Set(demoKb.map((a) => a.key));
    expect(keys.size).toBeGreaterThanOrEqual(9);
    for (const key of keys) expect(demoKb.filter((a) => a.key === key).map((a) => a.language)).toEqual(DEMO_LANGUAGES);
    for (const topic of [
      'shipping',
      'tracking',
      'change',
      'returns',
      'sizes',
      'warranty',
      'payment',
      'password',
      'privacy',
    ])
      expect(keys).toContain(topic);
  });

  it.each(demoKb.map((a) => [`${a.language} ${a.title}`, a] as const))(
    'answer "%s": only known variables, no order numbers, prices, doubled words or dataset placeholders',
    (_name, article) => {
      const { body } = article;
      expect(problems(body)).toEqual([]);
      // Only the variables the bot can fill from what it knows; Bitext's "{{Order Number}}" style is not one.
      for (const name of answerVariables(body)) expect(ANSWER_VARIABLES).toContain(name);
      expect(body).not.toMatch(/\{\{\s*[A-Z][a-z]+ [A-Z]/);
      expect(body.replace(/\{\{#?\/?\w+\}\}/g, '')).not.toMatch(/[{}]/);
      // Nothing that looks like an order number, a phone number or a price.
      expect(body).not.toMatch(/\d{4,}/);
      expect(body).not.toMatch(/[$€£]\s?\d|\d\s?(€|\$|£|eur\b|usd\b|kr\b|sek\b)/iu);
      // No "our our", "der der".
      expect(body).not.toMatch(/(?<![\p{L}\d])(\p{L}+)\s+\1(?![\p{L}\d])/iu);
      // Every number is one of the shop's policies, and the translations state the same ones as English.
      for (const n of numbers(body)) expect(POLICY_NUMBERS).toContain(n);
      const english = demoKb.find((a) => a.key === article.key && a.language === 'en')!;
      expect(numbers(body)).toEqual(numbers(english.body));
      expect(answerVariables(body).sort()).toEqual(answerVariables(english.body).sort());
      // Filled from what is known, nothing is left over; with nothing known, it asks rather than guesses.
      const full = fillAnswer(body, { orderNumber: '48213', contactName: 'Kim' });
      expect(full.text).not.toMatch(/\{\{|\}\}/);
      const none = fillAnswer(body, {});
      if (none.missing === null) expect(none.text).not.toMatch(/\{\{|\}\}|Kim/);
      else expect(none.missing).toBe('orderNumber');
      // Example questions are neither empty nor requests for a person the policy would hand off anyway.
      expect(article.questions.length).toBeGreaterThanOrEqual(8);
    },
  );

  it('fills the order number only from what the customer wrote', () => {
    const change = demoKb.find((a) => a.key === 'change' && a.language === 'en')!;
    expect(
      composeAnswer(change.body, { customerTexts: ['I want to cancel my order'], contactName: null }, 'en'),
    ).toEqual({ text: BOT_TEXTS.en!.askOrderNumber, asked: true });
    const filled = composeAnswer(
      change.body,
      { customerTexts: ['Hi', 'please cancel order #48213'], contactName: 'Kim' },
      'en',
    );
    expect(filled.asked).toBe(false);
    expect(filled.text).toMatch(/^Thanks, Kim\. You can change or cancel order 48213 yourself/);
    expect(composeAnswer(change.body, { customerTexts: ['cancel it'], contactName: null }, 'de').text).toBe(
      BOT_TEXTS.de!.askOrderNumber,
    );
  });

  it.each([
    ['order 48213', '48213'],
    ['Bestellnummer: 48213', '48213'],
    ['ma commande n° 48213 est en retard', '48213'],
    ['tilaus 48213', '48213'],
    ['beställning 48213', '48213'],
    ['#AO-48213', 'AO-48213'],
    ['48213', '48213'],
    ['I bought 2 tents for 4 people in 2024', null],
    ['call me on 0151 2345678', null],
  ])('order number in "%s": %s', (text, expected) => {
    expect(orderNumberIn([text])).toBe(expected);
  });
});
