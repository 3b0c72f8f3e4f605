import { and, eq, inArray, isNull, not, or, sql } from 'drizzle-orm';
import type { Services } from '../services.ts';
import type { Db } from '../db/client.ts';
import {
  attachments,
  auditLog,
  contactIdentities,
  contacts,
  conversations,
  messages,
  recordings,
} from '../../drizzle/schema/index.ts';
import { appendAudit } from '../domain/audit.ts';
import { DomainError, conflict, notFound } from '../domain/errors.ts';
import { deleteAtProvider } from './recording-providers.ts';
import { activeHoldsOf } from './legal-holds.ts';
import { contactTables, subjectCondition } from './subject.ts';

export type ErasureReceipt = {
  contactId: string;
  erasedAt: string;
  database: Record<string, number>;
  blobs: number;
  providerRecordings: number;
  mentionsRedacted: number;
  auditEntryId: number;
};

export const ERASED_MARKER = '[erased]';
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Art. 17 erasure: every row the catalog reaches, every file, the recordings at the provider, and the
 * person's identifiers where they appear inside other people's messages (replaced by a visible marker).
 * Refused while a legal hold is active. Ends with a receipt of counts per store in the audit log.
 */
export async function eraseContact(
  services: Services,
  contactId: string,
  actor: { kind: 'agent' | 'system'; id: string | null },
): Promise<ErasureReceipt> {
  const { db } = services;
  const [contact] = await db.select().from(contacts).where(eq(contacts.id, contactId));
  if (!contact) throw notFound('Contact');
  const holds = await activeHoldsOf(db, contactId);
  if (holds.length)
    throw conflict('legal_hold', `Erasure blocked by a legal hold: ${holds.map((h) => h.reason).join('; ')}`);

  const identities = await db.select().from(contactIdentities).where(eq(contactIdentities.contactId, contactId));
  const identifiers = [...new Set([contact.name, contact.email, contact.phone, ...identities.map((i) => i.address)])]
    .filter((v): v is string => typeof v === 'string' && v.trim().length >= 3)
    // Longest first, so "Ada Lovelace" is replaced before "Ada" could be.
    .sort((a, b) => b.length - a.length);

  // The provider first: if it cannot delete, nothing is erased locally and the request can be retried.
  const remote = await db
    .select({ id: recordings.id, provider: recordings.provider, sid: recordings.providerSid })
    .from(recordings)
    .where(and(subjectCondition('recordings', contactId), isNull(recordings.deletedAt)));
  let providerRecordings = 0;
  for (const r of remote) {
    try {
      await deleteAtProvider(services.recordingProviders, r.provider, r.sid);
      providerRecordings++;
    } catch (err) {
      throw new DomainError(
        502,
        'provider_unavailable',
        `Could not delete a recording at ${r.provider}: ${(err as Error).message.slice(0, 120)}; nothing was erased, try again`,
      );
    }
  }

  const blobIds = [
    ...(
      await db.select({ id: attachments.blobId }).from(attachments).where(subjectCondition('attachments', contactId))
    ).map((r) => r.id),
    ...(
      await db.select({ id: recordings.blobId }).from(recordings).where(subjectCondition('recordings', contactId))
    ).flatMap((r) => (r.id ? [r.id] : [])),
  ];
  const conversationIds = (
    await db.select({ id: conversations.id }).from(conversations).where(eq(conversations.contactId, contactId))
  ).map((r) => r.id);
  const visitorIds = identities.filter((i) => i.kind === 'visitor').map((i) => i.address);

  const { database, mentionsRedacted } = await db.transaction(async (tx) => {
    const mentionsRedacted = await redactMentions(tx, contactId, identifiers);
    const database: Record<string, number> = {};
    for (const t of contactTables) {
      const deleted = await tx
        .delete(t.table)
        .where(subjectCondition(t.key, contactId))
        .returning({ one: sql`1` });
      database[t.name] = deleted.length;
    }
    return { database, mentionsRedacted };
  });

  let blobs = 0;
  for (const id of blobIds) if (await services.blobs.delete(id)) blobs++;

  const erasedAt = new Date().toISOString();
  const auditEntryId = await db.transaction(async (tx) => {
    await appendAudit(tx, {
      actorKind: actor.kind,
      actorId: actor.id,
      action: 'contact.erased',
      targetType: 'contact',
      targetId: contactId,
      details: { database, blobs, providerRecordings, mentionsRedacted },
    });
    const [last] = await tx
      .select({ id: auditLog.id })
      .from(auditLog)
      .orderBy(sql`${auditLog.id} desc`)
      .limit(1);
    return last!.id;
  });
  services.events.publish('contact.erased', { contactId, conversationIds, visitorIds });
  return { contactId, erasedAt, database, blobs, providerRecordings, mentionsRedacted, auditEntryId };
}

/** Replaces the person's identifiers in other contacts' messages and subjects; returns how many rows changed. */
async function redactMentions(tx: Db, contactId: string, identifiers: string[]): Promise<number> {
  if (!identifiers.length) return 0;
  const pattern = new RegExp(identifiers.map(escapeRegExp).join('|'), 'gi');
  const likes = identifiers.map((id) => `%${id.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const own = tx.select({ id: conversations.id }).from(conversations).where(eq(conversations.contactId, contactId));
  // The same test as `column ilike like1 or column ilike like2 ...` (ILIKE is LIKE over lower() of both
  // sides), with lower() of the column computed once per row instead of once per identifier: lowering
  // long bodies is what this full scan of messages spends its time on.
  const lowered = sql`array[${sql.join(
    likes.map((like) => sql`lower(${like})`),
    sql`, `,
  )}]`;
  const mentionCondition = (column: typeof messages.body | typeof messages.html | typeof conversations.subject) =>
    sql`lower(${column}) like any (${lowered})`;
  let changed = 0;
  const hits = await tx
    .select({ id: messages.id, body: messages.body, html: messages.html })
    .from(messages)
    .where(
      and(
        not(inArray(messages.conversationId, own)),
        or(mentionCondition(messages.body), mentionCondition(messages.html)),
      ),
    );
  // One UPDATE per 500 rows rather than per row (a round trip each); the new texts are computed here as before.
  for (let i = 0; i < hits.length; i += 500) {
    const values = hits
      .slice(i, i + 500)
      .map(
        (m) =>
          sql`(${m.id}::uuid, ${m.body.replace(pattern, ERASED_MARKER)}::text, ${m.html?.replace(pattern, ERASED_MARKER) ?? null}::text)`,
      );
    await tx.execute(
      sql`update ${messages} set body = v.body, html = v.html from (values ${sql.join(values, sql`, `)}) as v(id, body, html) where ${messages.id} = v.id`,
    );
  }
  changed += hits.length;
  const subjects = await tx
    .select({ id: conversations.id, subject: conversations.subject })
    .from(conversations)
    .where(and(not(eq(conversations.contactId, contactId)), mentionCondition(conversations.subject)));
  for (const c of subjects) {
    await tx
      .update(conversations)
      .set({ subject: c.subject!.replace(pattern, ERASED_MARKER) })
      .where(eq(conversations.id, c.id));
    changed++;
  }
  return changed;
}
