import { LOCALES, type Locale } from '../web/i18n/index.ts';
import { serverTranslator } from '../web/i18n/server-catalog.ts';

/**
 * What the bot itself says, per language, from the one i18n catalog (web/i18n, `bot.*` of the server
 * namespace; the KB's articles say the rest). English is the fallback for a language not listed. The
 * disclosure names the word that reaches a person in that language, and bot/human-request.ts hands off on
 * it (a test checks each).
 */
export type BotTexts = {
  /** The first message in every conversation the bot speaks in (EU AI Act Art. 50(1)). */
  disclosure: string;
  /**
   * Hand-off, honest about who is there: a colleague has been *asked*; nobody has joined yet (the widget says
   * "You are now talking with our team" only once a person has). Inside business hours / outside them.
   */
  handoff: string;
  handoffClosed: string;
  /** A repeated request for a person while waiting: acknowledged, not met with silence. */
  handoffRepeated: string;
  askOrderNumber: string;
  /** After a hand-off for a language the KB does not cover (said in English too). */
  languageNotCovered: string;
};

const BOT_TEXT_KEYS = [
  'disclosure',
  'handoff',
  'handoffClosed',
  'handoffRepeated',
  'askOrderNumber',
  'languageNotCovered',
] as const satisfies readonly (keyof BotTexts)[];

/** The texts of one locale, from the catalog (web/i18n/locales/<locale>/server.json, `bot.*`). */
function textsOf(locale: Locale): BotTexts {
  const t = serverTranslator(locale);
  return Object.fromEntries(BOT_TEXT_KEYS.map((key) => [key, t(`bot.${key}`)])) as BotTexts;
}

export const BOT_TEXTS: Record<string, BotTexts> = Object.fromEntries(LOCALES.map((l) => [l, textsOf(l)]));

export const botTexts = (language: string | null): BotTexts => BOT_TEXTS[language ?? 'en'] ?? BOT_TEXTS.en!;

/** The word each disclosure tells the customer to write to reach a person. */
export const PERSON_WORD: Record<string, string> = Object.fromEntries(
  LOCALES.map((l) => [l, serverTranslator(l)('bot.personWord')]),
);
