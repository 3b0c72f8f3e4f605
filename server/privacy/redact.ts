import {
  openMessageText,
  openMessageTexts,
  resealMessageText,
  type SealKeys,
  type TextKeys,
} from '../domain/message-text.ts';
import { isDataSealed } from '../security/data-keys.ts';
import { randomUUID } from 'node:crypto';
import { blindIndexEntries, sealMessageText, textTokensOf, type StoreKeys } from '../domain/message-store.ts';
import { and, eq, gte, inArray, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { DomainEventBus } from '../domain/events.ts';
import { agents, conversations, messages, type Redaction } from '../../drizzle/schema/index.ts';
import type { MessageView } from '../http/views.ts';
import { appendAudit } from './audit.ts';
import { assertNotHeld } from './legal-holds.ts';
import { badRequest, notFound } from '../domain/errors.ts';
import { loadConversationView, toMessageView } from '../domain/views.ts';
import { escapeHtml } from '../http/escape.ts';
import { timelineMetadata } from '../domain/timeline-events.ts';
import { comparable, redactHtml, redactQuotedText } from './redact-html.ts';
import { catalogOf, columnOf, textSources, underCondition, type CatalogDeps, type PrivacyCatalog } from './subject.ts';

/** What redaction needs: the database, the bus agents' screens follow, and the catalog naming the copies. */
export type RedactDeps = CatalogDeps & {
  db: Db;
  events: Pick<DomainEventBus, 'publish'>;
  /** A sealed message is opened, redacted and sealed again (server/domain/message-text.ts). */
  dataKeys: TextKeys & SealKeys & StoreKeys;
};

import { REDACTED_MARKER } from './redact-marker.ts';

export { REDACTED_MARKER };

/**
 * Replaces the text in a copy by what a reader sees (server/privacy/redact-html.ts): across tags, entities and
 * quote prefixes, in the same occurrence as in the body when the copy holds as many as the body (all of them
 * otherwise). Where a reader sees nothing of it, any literal occurrence, as stored and as HTML-escaped.
 */
function replaceCopy(copy: string, removed: string, which: { index: number; count: number }) {
  const redacted = redactHtml(copy, removed, REDACTED_MARKER, which);
  if (redacted !== copy) return redacted;
  return copy.split(escapeHtml(removed)).join(REDACTED_MARKER).split(removed).join(REDACTED_MARKER);
}

/** Which occurrence of the removed text (compared as a reader sees it) the span is, of how many in the body. */
function occurrenceOf(body: string, start: number, removed: string) {
  const needle = comparable(removed);
  const count = (text: string) => (needle ? comparable(text).split(needle).length - 1 : 0);
  return { index: count(body.slice(0, start)), count: count(body) };
}

/**
 * Irreversibly replaces body[start, end) with a marker, in the message and in every stored copy of it:
 * the columns the catalog tags `messageCopy`, in the message's row (the sanitized HTML, by what a reader sees of
 * it: across tags and entities) and in rows that hang off the message; and where later messages of the conversation
 * quote it (their `> ` lines and `<blockquote>`s). Previews and exports are derived from the body at read time.
 * A timeline event records who and when; the audit entry records ids and a length, never the text. Refused
 * (409 legal_hold) while a legal hold binds the message's conversation or contact.
 */
export async function redactMessage(
  deps: RedactDeps,
  messageId: string,
  span: { start: number; end: number },
  actor: { id: string; name: string },
) {
  const { db } = deps;
  const catalog = catalogOf(deps);
  const result = await db.transaction(async (tx) => {
    const [stored] = await tx.select().from(messages).where(eq(messages.id, messageId)).for('update');
    if (!stored) throw notFound('Message');
    const message = await openMessageText(deps.dataKeys, stored);
    const [owner] = await tx
      .select({ contactId: conversations.contactId })
      .from(conversations)
      .where(eq(conversations.id, message.conversationId));
    // Inside the transaction, after the row lock: the text is checked and changed in one go.
    await assertNotHeld(tx, { messageId }, 'Redaction');
    if (message.kind === 'event') throw badRequest('not_redactable', 'Timeline events cannot be redacted');
    if (message.textUnreadable) throw badRequest('text_unreadable', 'The text of this message can no longer be read');
    const { start, end } = span;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start || end > message.body.length) {
      throw badRequest('bad_span', `The span must satisfy 0 <= start < end <= ${message.body.length}`);
    }
    const removed = message.body.slice(start, end);
    const which = occurrenceOf(message.body, start, removed);
    const body = message.body.slice(0, start) + REDACTED_MARKER + message.body.slice(end);
    const shift = REDACTED_MARKER.length - (end - start);
    // Earlier markers after the span move with the text; the new marker is recorded where it now stands.
    const redactions: Redaction[] = [
      ...message.redactions.map((r) => (r.start >= end ? { ...r, start: r.start + shift, end: r.end + shift } : r)),
      { start, end: start + REDACTED_MARKER.length, by: actor.id, at: new Date().toISOString() },
    ].sort((a, b) => a.start - b.start);
    const copies = Object.fromEntries(
      copyProperties(catalog).map((property) => {
        const copy = (message as Record<string, unknown>)[property];
        return [property, typeof copy === 'string' ? replaceCopy(copy, removed, which) : copy];
      }),
    );
    const [written] = await tx
      .update(messages)
      .set({ ...(await reseal(deps.dataKeys, owner!.contactId, stored, { ...copies, body }, message)), redactions })
      .where(eq(messages.id, messageId))
      .returning();
    const updated = await openMessageText(deps.dataKeys, written!);
    await redactDerivedCopies(tx, catalog, messageId, removed);
    const quoting = await redactQuotes(tx, deps.dataKeys, owner!.contactId, catalog, message, removed, actor.id);
    const eventId = randomUUID();
    const eventBody =
      `${actor.name} redacted ${end - start} characters of a message` +
      (quoting.length
        ? ` (and where ${quoting.length} later ${quoting.length > 1 ? 'messages quote' : 'message quotes'} it)`
        : '');
    const [event] = await tx
      .insert(messages)
      .values({
        id: eventId,
        ...(await sealMessageText(deps.dataKeys, { id: eventId, contactId: owner!.contactId, body: eventBody })),
        conversationId: message.conversationId,
        channel: message.channel,
        direction: 'internal',
        kind: 'event',
        authorKind: 'agent',
        authorAgentId: actor.id,
        deliveryState: 'stored',
        metadata: {
          redactedMessageId: messageId,
          ...timelineMetadata('redacted', { characters: end - start, quoting: quoting.length }),
        },
      })
      .returning();
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId: actor.id,
      action: 'message.redacted',
      targetType: 'message',
      targetId: messageId,
      details: {
        // Named, so the contact's audit view finds it by its index (audit_log.contact_id).
        contactId: owner?.contactId,
        conversationId: message.conversationId,
        characters: end - start,
        ...(quoting.length ? { quotedIn: quoting.map((q) => q.id) } : {}),
      },
    });
    const authorIds = [...new Set([updated!, ...quoting].flatMap((m) => (m.authorAgentId ? [m.authorAgentId] : [])))];
    const authors = new Map(
      authorIds.length
        ? (await tx.select({ id: agents.id, name: agents.name }).from(agents).where(inArray(agents.id, authorIds))).map(
            (a) => [a.id, a.name],
          )
        : [],
    );
    const authorOf = (m: typeof updated) => (m!.authorAgentId ? (authors.get(m!.authorAgentId) ?? null) : null);
    const [conv] = await tx
      .select({ threadKey: conversations.threadKey })
      .from(conversations)
      .where(eq(conversations.id, message.conversationId));
    return {
      updated: toMessageView(updated!, authorOf(updated)),
      quoting: quoting.map((m) => toMessageView(m, authorOf(m))),
      event: toMessageView({ ...event!, body: eventBody }, actor.name),
      threadKey: conv!.threadKey,
    };
  });
  const conversation = (await loadConversationView(db, deps.dataKeys, result.updated.conversationId, null))!;
  const route = { threadKey: result.threadKey };
  deps.events.publish('message.updated', { message: result.updated, conversation, route });
  for (const message of result.quoting) deps.events.publish('message.updated', { message, conversation, route });
  deps.events.publish('message.created', { message: result.event, conversation, route, clientId: null });
  return result.updated satisfies MessageView;
}

/** The changed text sealed again where the stored row had it sealed (a redaction does not unseal a message). */
/**
 * A sealed row's index entries are computed again from the changed plaintext (message-store.ts): the removed words
 * leave the index with the text. A plaintext row's plain words follow its text by the database's trigger.
 */
async function reseal(
  keys: SealKeys & StoreKeys,
  contactId: string,
  stored: typeof messages.$inferSelect,
  fields: Record<string, unknown> & { body: string },
  opened: { html: string | null },
) {
  const sealed = await resealMessageText(keys, contactId, stored.id, fields, {
    body: isDataSealed(stored.body),
    html: isDataSealed(stored.html),
  });
  if (!isDataSealed(stored.body)) return sealed;
  const html = typeof fields.html === 'string' ? fields.html : opened.html;
  return {
    ...sealed,
    ...blindIndexEntries(await textTokensOf(keys), { body: fields.body, html, language: stored.language }),
  };
}

/** The message's own columns that copy its body (the sanitized HTML). */
const copyProperties = (catalog: PrivacyCatalog) =>
  Object.entries(catalog.messages?.columns ?? {})
    .filter(([, tag]) => tag.messageCopy)
    .map(([property]) => property);

/**
 * The removed text where later messages of the conversation quote the redacted one: in their text's `> ` lines and
 * inside their copies' `<blockquote>`s, nowhere else (their own words stay as written). Answers the changed rows.
 */
async function redactQuotes(
  tx: Db,
  keys: TextKeys & SealKeys & StoreKeys,
  contactId: string,
  catalog: PrivacyCatalog,
  message: typeof messages.$inferSelect,
  removed: string,
  by: string,
) {
  const laterStored = await tx
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, message.conversationId),
        ne(messages.id, message.id),
        ne(messages.kind, 'event'),
        gte(messages.createdAt, message.createdAt),
      ),
    )
    .for('update');
  // A later message whose key is gone has nothing readable left to redact.
  const later = (await openMessageTexts(keys, laterStored)).filter((m) => !m.textUnreadable);
  const storedById = new Map(laterStored.map((m) => [m.id, m]));
  const changed: Array<typeof messages.$inferSelect> = [];
  const at = new Date().toISOString();
  for (const other of later) {
    const text = redactQuotedText(other.body, removed, REDACTED_MARKER);
    const copies = Object.fromEntries(
      copyProperties(catalog).flatMap((property) => {
        const copy = (other as Record<string, unknown>)[property];
        if (typeof copy !== 'string') return [];
        const redacted = redactHtml(copy, removed, REDACTED_MARKER, undefined, true);
        return redacted === copy ? [] : [[property, redacted]];
      }),
    );
    if (!text && !Object.keys(copies).length) continue;
    let { body, redactions } = other;
    if (text) {
      // Earlier markers move with the text before them; the new ones are recorded where they stand.
      const moved = (pos: number) =>
        pos + text.edits.filter((e) => e.end <= pos).reduce((sum, e) => sum + e.text.length - (e.end - e.start), 0);
      redactions = [
        ...other.redactions.map((r) => ({ ...r, start: moved(r.start), end: moved(r.start) + (r.end - r.start) })),
        ...text.markers.map((start) => ({ start, end: start + REDACTED_MARKER.length, by, at })),
      ].sort((a, b) => a.start - b.start);
      body = text.text;
    }
    const [row] = await tx
      .update(messages)
      .set({ ...(await reseal(keys, contactId, storedById.get(other.id)!, { ...copies, body }, other)), redactions })
      .where(eq(messages.id, other.id))
      .returning();
    changed.push(await openMessageText(keys, row!));
  }
  return changed;
}

/** The same replacement in every copy the catalog hangs off the message (a transcript, a translation). */
async function redactDerivedCopies(tx: Db, catalog: PrivacyCatalog, messageId: string, removed: string) {
  for (const t of textSources(catalog)) {
    if (t.key === 'messages') continue;
    const under = underCondition(catalog, t.key, 'messages', sql`(${messageId})`);
    const copies = Object.entries(catalog[t.key]!.columns).filter(([, tag]) => tag.messageCopy);
    if (!under || !copies.length) continue;
    const columns = copies.map(([property]) => columnOf(catalog, t.key, property));
    const set = sql.join(
      columns.map(
        (c) =>
          sql`${sql.identifier(c.name)} =
            replace(replace(${c}, ${escapeHtml(removed)}, ${REDACTED_MARKER}), ${removed}, ${REDACTED_MARKER})`,
      ),
      sql`, `,
    );
    await tx.execute(sql`update ${t.table} set ${set} where ${under}`);
  }
}
