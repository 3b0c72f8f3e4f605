import { sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { DataKeys } from '../security/data-keys.ts';
import { openBlindIndex } from '../security/blind-index.ts';
import { searchBlinding, type SearchBlinding } from './search-blind.ts';
import { textTokens, type TextTokens } from './search-tokens.ts';
import { bodyContext, htmlContext, subjectContext } from './message-text.ts';

/**
 * How every writer stores a message's text (issue 22, migration 0042): body and HTML sealed with the data key of the
 * conversation's contact (contexts of message-text.ts, so the message's id is chosen before sealing), and the search
 * index entries computed here from the plaintext (search-tokens.ts): the database receives tokens only, never the
 * words or the key. Erasure destroys the contact's key, and
 * every copy of the text (backups included) stops opening.
 */
export type StoreKeys = Pick<DataKeys, 'encryptMany' | 'keyFor'>;

const blindings = new WeakMap<object, Promise<SearchBlinding>>();

/** The installation's blinding of words and digits (its key lives in the key store), opened once per key set. */
export function blindingOf(keys: Pick<DataKeys, 'keyFor'>): Promise<SearchBlinding> {
  let blinding = blindings.get(keys);
  if (!blinding) {
    blinding = openBlindIndex(keys as DataKeys).then(searchBlinding);
    blinding.catch(() => blindings.delete(keys));
    blindings.set(keys, blinding);
  }
  return blinding;
}

const tokenSets = new WeakMap<object, Promise<TextTokens>>();

/** The installation's tokens of message text (the blind index's word key), opened once per key set. */
export function textTokensOf(keys: Pick<DataKeys, 'keyFor'>): Promise<TextTokens> {
  let tokens = tokenSets.get(keys);
  if (!tokens) {
    tokens = openBlindIndex(keys as DataKeys).then(textTokens);
    tokens.catch(() => tokenSets.delete(keys));
    tokenSets.set(keys, tokens);
  }
  return tokens;
}

/**
 * mention_tokens' value from a parameter holding the tokens joined by spaces (base64 has none): a batch passes one
 * string per message, since PostgreSQL's arrays cannot be ragged.
 */
export const mentionTokensOf = (joined: SQL | Placeholder | string) =>
  sql`coalesce(string_to_array(nullif(${joined}::text, ''), ' '), '{}'::text[])`;

export type MessageTextInput = {
  id: string;
  /** The conversation's contact: their key seals the text. */
  contactId: string;
  body: string;
  html?: string | null;
  /** The language the search index stems in (the message's `language` column). */
  language?: string | null;
};

export type SealedMessageText = {
  body: string;
  html: string | null;
  /** search_vector's value: the plaintext's tokens (a tsvector literal as a parameter). */
  searchVector: SQL;
  /** mention_tokens' value: the blinded digit runs. */
  mentionTokens: SQL;
};

/** The index entries of a text as SQL expressions (a writer's insert or update sets them beside the sealed text). */
export function blindIndexEntries(
  tokens: TextTokens,
  text: { body: string; html?: string | null; language?: string | null },
): { searchVector: SQL; mentionTokens: SQL } {
  const html = text.html ?? null;
  return {
    searchVector: sql`${tokens.document(text.language ?? null, text.body, html)}::tsvector`,
    mentionTokens: mentionTokensOf(tokens.mentionTokens(text.body, html).join(' ')),
  };
}

/**
 * Seals many texts with one encryptMany (a batch of ingest, a redaction's quotes). An item may carry the subject of
 * the conversation its message opens (ingest): sealed in the same call, in that conversation's context.
 */
export async function sealTexts(
  keys: StoreKeys,
  items: ReadonlyArray<MessageTextInput & { subject?: { conversationId: string; text: string } }>,
  newContacts?: ReadonlySet<string>,
): Promise<Array<{ body: string; html: string | null; subject: string | null }>> {
  const sealed = await keys.encryptMany(
    items.flatMap((i) => [
      { contactId: i.contactId, plaintext: i.body, context: bodyContext(i.id) },
      ...(i.html != null ? [{ contactId: i.contactId, plaintext: i.html, context: htmlContext(i.id) }] : []),
      ...(i.subject
        ? [{ contactId: i.contactId, plaintext: i.subject.text, context: subjectContext(i.subject.conversationId) }]
        : []),
    ]),
    newContacts,
  );
  let next = 0;
  return items.map((i) => ({
    body: sealed[next++]!,
    html: i.html != null ? sealed[next++]! : null,
    subject: i.subject ? sealed[next++]! : null,
  }));
}

/** Texts sealed, with their index entries, ready for an insert's or update's values. */
export async function sealMessageTexts(
  keys: StoreKeys,
  items: ReadonlyArray<MessageTextInput>,
): Promise<SealedMessageText[]> {
  if (!items.length) return [];
  const [tokens, sealed] = await Promise.all([textTokensOf(keys), sealTexts(keys, items)]);
  return items.map((item, i) => ({
    body: sealed[i]!.body,
    html: sealed[i]!.html,
    ...blindIndexEntries(tokens, item),
  }));
}

/** One message's text sealed with its index entries. */
export async function sealMessageText(keys: StoreKeys, item: MessageTextInput): Promise<SealedMessageText> {
  const [sealed] = await sealMessageTexts(keys, [item]);
  return sealed!;
}
