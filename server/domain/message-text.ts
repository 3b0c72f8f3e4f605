import { isDataSealed, type DataKeys } from '../security/data-keys.ts';
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { messages } from '../../drizzle/schema/index.ts';
import { highlightValue, type SnippetPart } from './search-query.ts';

/**
 * Message text at rest (issue 22): a message's body and HTML and a conversation's subject are stored either as they
 * were written (rows from before the switch) or sealed with the data key of the conversation's contact
 * (`pdk:v1:…`, server/security/data-keys.ts), each bound to its row by the context below. Every reader opens the
 * rows it read through this module, one decryptMany per batch, so old and new rows can live side by side while the
 * existing data is migrated.
 *
 * A value whose key is gone (the person was erased, or the value was moved to another row) does not throw: the row
 * comes back with empty text and `textUnreadable`, which the views show as "this text can no longer be read".
 */
export type TextKeys = Pick<DataKeys, 'decryptMany'>;

export const bodyContext = (messageId: string) => `messages/body/${messageId}`;
export const htmlContext = (messageId: string) => `messages/html/${messageId}`;
export const subjectContext = (conversationId: string) => `conversations/subject/${conversationId}`;

type Sealed = { sealed: string; context: string };

/** Opens every sealed value of `values` in one decryptMany; plaintext stays as it is, a lost key gives null. */
async function openAll(keys: TextKeys, values: ReadonlyArray<Sealed | null>): Promise<Array<string | null>> {
  const wanted = values.filter((v): v is Sealed => v !== null);
  const opened = wanted.length ? await keys.decryptMany(wanted) : [];
  let next = 0;
  return values.map((v) => (v === null ? null : opened[next++]!));
}

const sealedOrNull = (value: string | null | undefined, context: string): Sealed | null =>
  isDataSealed(value) ? { sealed: value, context } : null;

export type MessageText = { id: string; body: string; html?: string | null };
export type OpenedText<T> = T & { textUnreadable?: true };

/**
 * The rows with body and HTML readable. Rows with only plaintext come back as they are (no key is looked up); a
 * row with any value that cannot be opened has body '' and html null, and `textUnreadable: true`.
 */
export async function openMessageTexts<T extends MessageText>(
  keys: TextKeys,
  rows: ReadonlyArray<T>,
): Promise<Array<OpenedText<T>>> {
  if (!rows.some((r) => isDataSealed(r.body) || isDataSealed(r.html))) return rows as Array<OpenedText<T>>;
  const values = rows.flatMap((r) => [
    sealedOrNull(r.body, bodyContext(r.id)),
    sealedOrNull(r.html, htmlContext(r.id)),
  ]);
  const opened = await openAll(keys, values);
  return rows.map((row, i) => {
    const [bodySealed, htmlSealed] = [values[2 * i], values[2 * i + 1]];
    const [body, html] = [opened[2 * i], opened[2 * i + 1]];
    if ((bodySealed && body === null) || (htmlSealed && html === null)) {
      return { ...row, body: '', ...(row.html !== undefined ? { html: null } : {}), textUnreadable: true as const };
    }
    return {
      ...row,
      body: bodySealed ? body! : row.body,
      ...(row.html !== undefined ? { html: htmlSealed ? html : row.html } : {}),
    };
  });
}

/** One message's text (a reader that handles a single row: a delivery, a webhook, a quote). */
export async function openMessageText<T extends MessageText>(keys: TextKeys, row: T): Promise<OpenedText<T>> {
  const [opened] = await openMessageTexts(keys, [row]);
  return opened!;
}

export type SubjectRow = { id: string; subject: string | null };
export type OpenedSubject<T> = T & { subjectUnreadable?: true };

/** Conversations' subjects opened (`id` is the conversation's); an unreadable one becomes null and is flagged. */
export async function openSubjects<T extends SubjectRow>(
  keys: TextKeys,
  rows: ReadonlyArray<T>,
): Promise<Array<OpenedSubject<T>>> {
  if (!rows.some((r) => isDataSealed(r.subject))) return rows as Array<OpenedSubject<T>>;
  const values = rows.map((r) => sealedOrNull(r.subject, subjectContext(r.id)));
  const opened = await openAll(keys, values);
  return rows.map((row, i) => {
    if (!values[i]) return row;
    return opened[i] === null
      ? { ...row, subject: null, subjectUnreadable: true as const }
      : { ...row, subject: opened[i]! };
  });
}

/** Opens plain values named by their context (a reader holding loose values: a preview, a quote, a mention check). */
export async function openValues(
  keys: TextKeys,
  items: ReadonlyArray<{ value: string | null; context: string }>,
): Promise<Array<{ text: string | null; unreadable: boolean }>> {
  const values = items.map((i) => sealedOrNull(i.value, i.context));
  const opened = values.some((v) => v) ? await openAll(keys, values) : [];
  return items.map((item, i) =>
    values[i] ? { text: opened[i] ?? null, unreadable: opened[i] === null } : { text: item.value, unreadable: false },
  );
}

/**
 * A search snippet made in JS from the opened text, as ts_headline would make it from plaintext (which it cannot
 * read once sealed): about 24 words around the first word of the query that occurs, the query's words marked.
 */
export function snippetOf(text: string, typed: string, around = 90): SnippetPart[] {
  const needles = typed
    .split(/[\s"]+/)
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n.length >= 2);
  const lower = text.toLowerCase();
  const first = Math.min(...needles.map((n) => lower.indexOf(n)).filter((at) => at >= 0), Number.MAX_SAFE_INTEGER);
  const at = first === Number.MAX_SAFE_INTEGER ? 0 : first;
  let start = Math.max(0, at - around);
  let end = Math.min(text.length, at + around);
  // Whole words only: move the cut to the next space inward.
  if (start > 0) start = text.indexOf(' ', start) + 1 || start;
  if (end < text.length) end = text.lastIndexOf(' ', end) > at ? text.lastIndexOf(' ', end) : end;
  const window = text.slice(start, end).replace(/\s+/g, ' ').trim();
  return highlightValue(window, typed);
}

/** A view's `subject` (and `subjectUnreadable`) from a stored subject: for readers that build a view from one row. */
export async function subjectView(
  keys: TextKeys,
  conversationId: string,
  subject: string | null,
): Promise<{ subject: string | null; subjectUnreadable?: true }> {
  if (!isDataSealed(subject)) return { subject };
  const [opened] = await openSubjects(keys, [{ id: conversationId, subject }]);
  return opened!.subjectUnreadable ? { subject: null, subjectUnreadable: true } : { subject: opened!.subject };
}

/**
 * A conversation's preview as statements read it: the last message's id (36 characters) followed by its body, so
 * a sealed body opens in its own context. Null stays null; `unreadable` when the key is gone.
 */
export async function openPreview(
  keys: TextKeys,
  idAndBody: string | null,
): Promise<{ text: string | null; unreadable: boolean }> {
  if (idAndBody === null) return { text: null, unreadable: false };
  const [opened] = await openValues(keys, [
    { value: idAndBody.slice(36), context: bodyContext(idAndBody.slice(0, 36)) },
  ]);
  return opened!;
}

export type SealKeys = Pick<DataKeys, 'encryptMany'>;

/**
 * Seals a message's changed text again (a redaction of a sealed message stays sealed): `body` and `html` are
 * encrypted with the contact's key in their own contexts where `sealed` says the stored value was sealed; other
 * fields pass through as they are.
 */
export async function resealMessageText<T extends Record<string, unknown>>(
  keys: SealKeys,
  contactId: string,
  messageId: string,
  fields: T,
  sealed: { body: boolean; html: boolean },
): Promise<T> {
  const contexts = { body: bodyContext(messageId), html: htmlContext(messageId) } as const;
  const names = (['body', 'html'] as const).filter((n) => sealed[n] && typeof fields[n] === 'string');
  if (!names.length) return fields;
  const values = await keys.encryptMany(
    names.map((n) => ({ contactId, plaintext: fields[n] as string, context: contexts[n] })),
  );
  return { ...fields, ...Object.fromEntries(names.map((n, i) => [n, values[i]])) };
}

/**
 * What the customer wrote in a conversation, oldest first, opened (the bot's language and order number, agent
 * assist's question). An unreadable text (its key is gone) is left out rather than read as ''.
 */
export async function customerTexts(db: Db, keys: TextKeys, conversationId: string): Promise<string[]> {
  const stored = await db
    .select({ id: messages.id, body: messages.body })
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, conversationId),
        eq(messages.authorKind, 'contact'),
        eq(messages.kind, 'message'),
      ),
    )
    .orderBy(asc(messages.createdAt), asc(messages.id));
  return (await openMessageTexts(keys, stored)).flatMap((r) => (r.textUnreadable ? [] : [r.body]));
}
