import { withoutPii } from '../privacy/pii/apply.ts';

/**
 * Variables in knowledge-base answers, filled only from what the bot knows about this conversation:
 *   {{orderNumber}}  the order number the customer wrote in it (never guessed, never taken from elsewhere);
 *   {{contactName}}  the contact's name, only inside {{#contactName}}…{{/contactName}}, a section left out
 *                    when the name is unknown.
 * An answer whose required variable is unknown is not sent as it is: the bot asks for it (orderNumber).
 */
export const ANSWER_VARIABLES = ['orderNumber', 'contactName'] as const;
export type AnswerVariable = (typeof ANSWER_VARIABLES)[number];
export type KnownValues = Partial<Record<AnswerVariable, string | null>>;

const SECTION = /\{\{#(\w+)\}\}([\s\S]*?)\{\{\/\1\}\}/g;
const VARIABLE = /\{\{\s*([^{}#/]+?)\s*\}\}/g;

/** Every {{…}} name an answer uses (sections included), for the KB scan. */
export function answerVariables(body: string): string[] {
  const names = new Set<string>();
  for (const m of body.matchAll(/\{\{[#/]?\s*([^{}]*?)\s*\}\}/g)) names.add(m[1]!);
  return [...names];
}

export type Filled = { text: string; missing: null } | { text: null; missing: AnswerVariable };

export function fillAnswer(body: string, known: KnownValues): Filled {
  const withSections = body.replace(SECTION, (_, name: string, inner: string) =>
    known[name as AnswerVariable] ? inner : '',
  );
  let missing: AnswerVariable | null = null;
  const text = withSections.replace(VARIABLE, (whole, name: string) => {
    const value = known[name as AnswerVariable];
    if (value) return value;
    missing ??= name as AnswerVariable;
    return whole;
  });
  return missing ? { text: null, missing } : { text: text.replace(/ {2,}/g, ' ').trim(), missing: null };
}

/** Words that introduce an order number in the five languages (diacritics optional). */
const ORDER_WORDS = [
  String.raw`(?:order|ordern(?:umm?er)?|bestell(?:ung|nummer|nr)?|auftrag(?:snummer)?|commande|n[°o]|num[ée]ro`,
  String.raw`|tilau(?:s|ksen|snumero)?|beställning(?:snummer)?|nr|no)`,
].join('');
const ORDER_NUMBER = new RegExp(
  String.raw`(?:#\s?|\b${ORDER_WORDS}\.?\s*(?:number|nummer|numero|nr\.?|no\.?|:|#)?\s*)([A-Z]{0,3}-?\d{4,12})\b`,
  'iu',
);

/**
 * The order number a customer wrote (the last one, if several), or null. Read from the texts with every PII
 * finding masked, whatever the inbox flags or keeps: the bot never repeats a card, IBAN, identity number or
 * password, even one a customer wrote where an order number goes.
 */
export function orderNumberIn(written: readonly string[]): string | null {
  const texts = written.map(withoutPii);
  for (let i = texts.length - 1; i >= 0; i--) {
    const m = ORDER_NUMBER.exec(texts[i]!);
    if (m) return m[1]!.toUpperCase();
    // A message that is only a number answers "what is your order number?".
    const bare = /^\s*#?\s*([A-Z]{0,3}-?\d{4,12})\s*[.!]?\s*$/iu.exec(texts[i]!);
    if (bare) return bare[1]!.toUpperCase();
  }
  return null;
}
