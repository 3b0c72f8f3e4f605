import { openNames } from '../domain/contact-fields.ts';
import { openMessageTexts, type TextKeys } from '../domain/message-text.ts';
import { desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { contacts, conversations, messages } from '../../drizzle/schema/index.ts';
import { splitE164 } from './mentions.ts';
import { phoneDigits } from '../domain/phone-digits.ts';
import type { SearchBlinding } from '../domain/search-blind.ts';
import { wordsOf } from '../domain/search-tokens.ts';

/** One message that names what "find this person" searched for, for the admin who handles a request. */
export type MentionItem = {
  messageId: string;
  conversationId: string;
  channel: string;
  occurredAt: string;
  /** The conversation's contact: usually someone else than the person searched for. */
  contactId: string;
  contactName: string | null;
  /** About 60 characters either side of the first match. */
  snippet: string;
};

export type MentionList = { total: number; items: MentionItem[]; more: boolean };

const SHOWN = 200;
const CANDIDATES = 2_000;
const CONTEXT = 60;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A token says nothing of how its word starts, so a sealed row cannot be found by a prefix ("mira tollen" for
 * "Tollenbeck, Mira"): it is a candidate when it holds any of the typed words whole, and the check below (every
 * word at the start of a word) decides. A query of partial words only finds plaintext rows.
 */
const anyWord = (blinding: SearchBlinding, words: string[]) =>
  words.length ? words.map((w) => `'${blinding.token(w)}'`).join(' | ') : '';

/**
 * Every message that mentions `q` (a name, an address, a phone number in any format), newest first, through
 * the messages' mention indexes (migration 0015: words as prefixes, so "Tollen" finds "Tollenbeck"; digits
 * for phone numbers). Candidates are then checked in JS: each word of `q` at the start of a word, or the
 * phone's national digits with any separators between them. At most CANDIDATES are read (`more` says so).
 * With `blinding` (the blinded index of sealed rows, server/domain/search-blind.ts) a sealed row is found by whole
 * words (anyWord above); plaintext rows as before.
 */
export async function findMentions(db: Db, keys: TextKeys, q: string, blinding?: SearchBlinding): Promise<MentionList> {
  const phone = phoneDigits(q);
  const nsn = phone
    ? phone.international
      ? (splitE164(`+${phone.digits}`)?.nsn ?? phone.digits)
      : phone.digits
    : null;
  const words = q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const wordTest = words.map((w) => new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(w)}`, 'iu'));
  const phoneTest = nsn ? new RegExp(`(?<!\\d)0*${nsn.split('').join('[\\s.()\\-/]*')}(?!\\d)`) : null;
  const prefixQuery = sql`to_tsquery('simple'::regconfig, (select string_agg(quote_literal(lexeme) || ':*', ' & ')
    from unnest(to_tsvector('simple'::regconfig, ${q}))))`;
  // Plaintext rows (from before the switch) through their words and digits, sealed rows through their tokens.
  const plain = nsn
    ? sql`mention_digits(${messages.body}, ${messages.html}) like ${`%${nsn}%`}`
    : sql`${messages.searchVector} @@ ${prefixQuery}`;
  const condition = blinding
    ? nsn
      ? sql`(${plain} or "messages"."mention_tokens" @> array[${blinding.digitsToken(nsn)}]::text[])`
      : sql`${messages.searchVector} @@ (${prefixQuery} || ${anyWord(blinding, wordsOf(q))}::tsquery)`
    : plain;
  const stored = await db
    .select({
      id: messages.id,
      messageId: messages.id,
      conversationId: messages.conversationId,
      channel: messages.channel,
      occurredAt: messages.occurredAt,
      body: messages.body,
      html: messages.html,
      contactId: conversations.contactId,
      contactSealedName: contacts.sealedName,
    })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(condition)
    .orderBy(desc(messages.occurredAt), desc(messages.id))
    .limit(CANDIDATES + 1);
  // Sealed text is checked (and cut into its snippet) opened; a text whose key is gone mentions nobody any more.
  const names = await openNames(
    keys,
    stored.map((r) => ({ id: r.contactId, sealedName: r.contactSealedName })),
  );
  const rows = (await openMessageTexts(keys, stored))
    .map((r, i) => ({ ...r, contactName: names[i]! }))
    .filter((r) => !r.textUnreadable);
  const items: MentionItem[] = [];
  let total = 0;
  for (const row of rows.slice(0, CANDIDATES)) {
    const text = `${row.body}\n${row.html ? row.html.replace(/<[^>]*>/g, ' ') : ''}`;
    const at = phoneTest ? text.search(phoneTest) : firstAll(text, wordTest);
    if (at < 0) continue;
    total++;
    if (items.length >= SHOWN) continue;
    const start = Math.max(0, at - CONTEXT);
    const end = at + CONTEXT * 2;
    const cut = text.slice(start, end).replace(/\s+/g, ' ').trim();
    const snippet = `${start > 0 ? '…' : ''}${cut}${end < text.trimEnd().length ? '…' : ''}`;
    items.push({
      messageId: row.messageId,
      conversationId: row.conversationId,
      channel: row.channel,
      occurredAt: row.occurredAt.toISOString(),
      contactId: row.contactId,
      contactName: row.contactName,
      snippet,
    });
  }
  return { total, items, more: stored.length > CANDIDATES };
}

/** Where the first of the words is, if every word is in the text (else -1). */
function firstAll(text: string, tests: RegExp[]): number {
  if (!tests.length) return -1;
  let first = -1;
  for (const test of tests) {
    const i = text.search(test);
    if (i < 0) return -1;
    if (first < 0 || i < first) first = i;
  }
  return first;
}
