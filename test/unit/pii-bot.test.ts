import { describe, expect, it } from 'vitest';
import { orderNumberIn } from '../../server/bot/answer-variables.ts';
import { composeAnswer } from '../../server/bot/actions.ts';
import { demoKb } from '../../server/demo/kb.ts';
import { BOT_TEXTS } from '../../bot/language-texts.ts';

describe('the bot never repeats detected personal data', () => {
  it('does not take an identity number, card or IBAN a customer wrote where an order number goes', () => {
    // 86095742719 passes the German tax id check; 48213 is an ordinary order number.
    expect(orderNumberIn(['Bestellung 86095742719 stornieren'])).toBeNull();
    expect(orderNumberIn(['order #131052-308T'])).toBeNull();
    expect(orderNumberIn(['Bestellung 48213 stornieren'])).toBe('48213');
  });

  it('asks for the order number instead of quoting the identity number back', () => {
    const change = demoKb.find((a) => a.key === 'change' && a.language === 'en')!;
    const reply = composeAnswer(
      change.body,
      { customerTexts: ['I want to change order 86095742719'], contactName: null },
      'en',
    );
    expect(reply).toEqual({ text: BOT_TEXTS.en!.askOrderNumber, asked: true });
    expect(reply.text).not.toContain('86095742719');
  });
});
