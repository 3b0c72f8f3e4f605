import { openContact } from '../domain/contact-fields.ts';
import { and, eq, getTableName, inArray, isNotNull, isNull, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { BlobStore } from '../blobs/store.ts';
import type { DataKeys } from '../security/data-keys.ts';
import type { BlindIndex } from '../security/blind-index.ts';
import type { DomainEventBus } from '../domain/events.ts';
import {
  auditLog,
  contactIdentities,
  contacts,
  conversations,
  legalHolds,
  messages,
  recordings,
} from '../../drizzle/schema/index.ts';
import type { ErasureReceipt, PossibleMention } from '../http/views/privacy.ts';
import { mentionMatcher, type MentionMatcher } from './mentions.ts';
import { messageMentionCondition } from './mention-index.ts';
import { openFoundMessages, sealedMessageColumns, writeSealedMentions } from './erase-sealed.ts';
import { openFoundNames, sealedNameColumns, sealedNameCondition, writeSealedNames } from './erase-sealed-contacts.ts';
import {
  openFoundSubjects,
  sealedSubjectColumns,
  sealedSubjectCondition,
  writeSealedSubjects,
} from './erase-sealed-subjects.ts';
import { identityKeysOf } from '../domain/identity-address.ts';
import { blindingOf } from '../domain/message-store.ts';
import { footprintOf } from './breach-reach.ts';
import { appendAudit } from './audit.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import { deleteAtProvider, type RecordingProviders } from './recording-providers.ts';
import { assertNotHeld, LegalHoldError, rowHeld } from './legal-holds.ts';
import { appendSubjectLine, identifiersOf, recordErasedSubject, type ErasedSubjects } from './erased-subjects.ts';
import { readableAddresses } from '../domain/identity-address.ts';
import {
  catalogOf,
  contactTables,
  reviewPlaceOf,
  fileSources,
  subjectCondition,
  textSources,
  type CatalogDeps,
  type PrivacyCatalog,
} from './subject.ts';

export type { ErasureReceipt };

/** What erasure needs: the database, the files, where provider copies go, and who to tell afterwards. */
export type EraseDeps = CatalogDeps & {
  db: Db;
  blobs: BlobStore;
  events: Pick<DomainEventBus, 'publish'>;
  recordingProviders: RecordingProviders;
  /** The list of erased subjects (keyed hashes) and the scrub of the touched tables' files. */
  erasedSubjects: ErasedSubjects;
  /** The person's data keys, destroyed last: every copy of what they encrypt becomes unreadable. */
  dataKeys: DataKeys;
};

export const ERASED_MARKER = '[erased]';

/**
 * Art. 17 erasure: every row the catalog reaches, every file its file columns hold, the recordings at the
 * provider, and the person's identifiers wherever they appear in the free-text columns of other people's
 * rows (messages, subjects, names, file names: replaced by a visible marker).
 * Refused while a legal hold is active. Ends with a receipt of counts per store in the audit log.
 */
export async function eraseContact(
  deps: EraseDeps,
  contactId: string,
  actor: { kind: 'agent' | 'system'; id: string | null },
): Promise<ErasureReceipt> {
  const { db } = deps;
  const catalog = catalogOf(deps);
  const [stored] = await db.select().from(contacts).where(eq(contacts.id, contactId));
  if (!stored) throw notFound('Contact');
  // The mention check needs the person's name, email and phone as text: opened now, before their key is shredded.
  const contact = await openContact(deps.dataKeys, stored);
  await assertNotHeld(db, { contactId }, 'Erasure');
  // What they wrote in someone else's conversation goes too: a hold there (or on its contact) binds it as well.
  const authoredHeld = await db
    .selectDistinct({ id: legalHolds.id, reason: legalHolds.reason })
    .from(legalHolds)
    .innerJoin(
      conversations,
      or(eq(legalHolds.conversationId, conversations.id), eq(legalHolds.contactId, conversations.contactId)),
    )
    .where(
      and(
        isNull(legalHolds.releasedAt),
        inArray(
          conversations.id,
          db
            .select({ id: messages.conversationId })
            .from(messages)
            .innerJoin(contactIdentities, eq(contactIdentities.id, messages.authorIdentityId))
            .where(eq(contactIdentities.contactId, contactId)),
        ),
      ),
    );
  if (authoredHeld.length) throw new LegalHoldError('Erasure', authoredHeld);

  // Addresses are stored sealed: opened here to find where the text names them (none opens once the key is gone).
  const identities = await readableAddresses(
    deps.dataKeys,
    await db.select().from(contactIdentities).where(eq(contactIdentities.contactId, contactId)),
  );
  const mentions = mentionMatcher(contact, identities);

  // The provider first: if it cannot delete, nothing is erased locally and the request can be retried.
  const remote = await db
    .select({ id: recordings.id, provider: recordings.provider, sid: recordings.providerSid })
    .from(recordings)
    .where(and(subjectCondition(catalog, 'recordings', contactId), isNull(recordings.deletedAt)));
  let providerRecordings = 0;
  for (const r of remote) {
    try {
      await deleteAtProvider(deps.recordingProviders, r.provider, r.sid);
      providerRecordings++;
    } catch (err) {
      throw new DomainError(
        502,
        'provider_unavailable',
        `Could not delete a recording at ${r.provider}: ${(err as Error).message.slice(0, 120)}; ` +
          'nothing was erased, try again',
      );
    }
  }

  const blobIds: string[] = [];
  for (const f of fileSources(catalog)) {
    const rows = await db
      .select({ id: f.column })
      .from(f.table)
      .where(and(subjectCondition(catalog, f.key, contactId), isNotNull(f.column)));
    for (const row of rows) blobIds.push(String(row.id));
  }
  // Their inboxes too: only the agents who see an inbox are told its conversation is gone.
  const erasedConversations = await db
    .select({ id: conversations.id, inboxId: conversations.inboxId })
    .from(conversations)
    .where(eq(conversations.contactId, contactId));
  const visitorIds = identities.filter((i) => i.kind === 'visitor').map((i) => i.address);
  // Someone else's conversations the person wrote in: their messages there go, and agents who have one open
  // are told (like the conversations whose text names them: redactMentions).
  const authoredElsewhere = await db
    .selectDistinct({ id: messages.conversationId })
    .from(messages)
    .innerJoin(contactIdentities, eq(contactIdentities.id, messages.authorIdentityId))
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(and(eq(contactIdentities.contactId, contactId), ne(conversations.contactId, contactId)));

  // Where the person's data was (inbox ids, times): the breach finder still counts them once it is gone.
  const footprint = await footprintOf(db, catalog, contactId);
  const { database, mentionsRedacted, mentionsKeptUnderHold, possibleMentions, subject, mentionedIn } =
    await db.transaction(async (tx) => {
      // Files and participant rows that cascade away are audited by the database as this person's erasure
      // (drizzle/migrations/0035_audit_files_participants.sql).
      await tx.execute(
        sql`select set_config('audit.process', 'erasure', true), set_config('audit.contact_id', ${contactId}, true)`,
      );
      const {
        changed: mentionsRedacted,
        held: mentionsKeptUnderHold,
        possible: possibleMentions,
        tables: touched,
        conversations: mentionedIn,
      } = await redactMentions(
        tx,
        { dataKeys: deps.dataKeys, blindIndex: identityKeysOf(deps.db).blindIndex },
        catalog,
        contactId,
        mentions,
      );
      const database: Record<string, number> = {};
      for (const t of contactTables(catalog)) {
        const deleted = await tx
          .delete(t.table)
          .where(subjectCondition(catalog, t.key, contactId))
          .returning({ one: sql`1` });
        database[t.name] = deleted.length;
        if (deleted.length > 0) touched.add(t.name);
      }
      const subject = await recordErasedSubject(tx, deps.erasedSubjects.keys, {
        contactId,
        identifiers: identifiersOf(contact, identities),
        tables: [...touched],
      });
      return { database, mentionsRedacted, mentionsKeptUnderHold, possibleMentions, subject, mentionedIn };
    });
  // Outside the database too (a restore does not roll it back); then the touched tables' files are rewritten.
  appendSubjectLine(deps.erasedSubjects.path, subject);
  deps.erasedSubjects.scrubSoon();

  let blobs = 0;
  for (const id of blobIds) if (await deps.blobs.delete(id)) blobs++;
  // Crypto-shredding: with the key gone, the copies of their files and consent evidence in backups, WAL archives
  // and replicas cannot be read any more (README, Privacy: Encryption at rest). The audit names the key ids only.
  const dataKeys = await deps.dataKeys.shred(contactId);

  const erasedAt = new Date().toISOString();
  const auditEntryId = await db.transaction(async (tx) => {
    await appendAudit(tx, {
      actorKind: actor.kind,
      actorId: actor.id,
      action: 'contact.erased',
      targetType: 'contact',
      targetId: contactId,
      details: {
        database,
        blobs,
        dataKeys,
        providerRecordings,
        mentionsRedacted,
        mentionsKeptUnderHold,
        possibleMentions: possibleMentions.length,
        footprint,
      },
    });
    const [last] = await tx
      .select({ id: auditLog.id })
      .from(auditLog)
      .orderBy(sql`${auditLog.id} desc`)
      .limit(1);
    return last!.id;
  });
  deps.events.publish('contact.erased', { contactId, conversations: erasedConversations, visitorIds });
  const changedIds = [...new Set([...authoredElsewhere.map((c) => c.id), ...mentionedIn])];
  if (changedIds.length) {
    const changed = await db
      .select({ id: conversations.id, inboxId: conversations.inboxId })
      .from(conversations)
      .where(inArray(conversations.id, changedIds));
    deps.events.publish('conversations.changed', { conversations: changed });
  }
  return {
    contactId,
    erasedAt,
    database,
    blobs,
    providerRecordings,
    mentionsRedacted,
    mentionsKeptUnderHold,
    possibleMentions,
    auditEntryId,
  };
}

/**
 * Replaces the person's identifiers (every written form: mentions.ts) in every free-text column the catalog tags,
 * in rows about anyone else (the person's own rows are deleted next); returns how many rows changed (and in which
 * tables), how many mentioning the person were left as they are because a legal hold on someone else binds them
 * (kept as evidence, Art. 17(3)(e)), and the rows that name the person's first name alone (listed for review).
 */
async function redactMentions(
  tx: Db,
  { dataKeys: keys, blindIndex }: { dataKeys: DataKeys; blindIndex: BlindIndex },
  catalog: PrivacyCatalog,
  contactId: string,
  mentions: MentionMatcher,
): Promise<{
  changed: number;
  held: number;
  possible: PossibleMention[];
  tables: Set<string>;
  conversations: Set<string>;
}> {
  const tables = new Set<string>();
  const touchedConversations = new Set<string>();
  const possible: PossibleMention[] = [];
  const { certain, likes, pgPatterns } = mentions;
  if (!likes.length && !pgPatterns.length)
    return { changed: 0, held: 0, possible, tables, conversations: touchedConversations };
  const escaped = likes.map((id) => `%${id.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  // The same test as `column ilike like1 or column ilike like2 ...` (ILIKE is LIKE over lower() of both
  // sides), with lower() of the column computed once per row instead of once per identifier: lowering
  // long bodies is what this full scan of messages spends its time on. Phone numbers, written in any format,
  // are found by a regular expression over their digits; the exact forms are matched here, in JS.
  const lowered = sql`array[${sql.join(
    escaped.map((like) => sql`lower(${like})`),
    sql`, `,
  )}]`;
  const phones = sql`array[${sql.join(
    pgPatterns.map((p) => sql`${p}`),
    sql`, `,
  )}]::text[]`;
  let changed = 0;
  let held = 0;
  for (const t of textSources(catalog)) {
    // Messages (by far the largest table) through their mention indexes; the other tables are scanned.
    // Sealed messages (issue 22) are found by their blinded entries, opened, redacted and sealed again.
    const isMessages = getTableName(t.table) === getTableName(messages);
    const indexed = isMessages
      ? messageMentionCondition(messages.searchVector, messages.body, messages.html, mentions, await blindingOf(keys))
      : null;
    const [bodyAt, htmlAt] = [t.columns.indexOf(messages.body), t.columns.indexOf(messages.html)];
    // Contacts' names are stored only sealed (contact-fields.ts): found by the tokens of the person's name words, not
    // by their text (the column holds none).
    const isContacts = getTableName(t.table) === getTableName(contacts);
    const nameAt = isContacts ? t.columns.indexOf(contacts.sealedName) : -1;
    const byNameTokens = nameAt >= 0 ? sealedNameCondition(blindIndex, mentions.nameWords) : null;
    // And conversations' subjects (subject-store.ts): found by the tokens of their words and digit runs.
    const isConversations = getTableName(t.table) === getTableName(conversations);
    const subjectAt = isConversations ? t.columns.indexOf(conversations.subject) : -1;
    const bySubjectTokens = subjectAt >= 0 ? sealedSubjectCondition(mentions, await blindingOf(keys)) : null;
    const conditions = [
      ...t.columns.flatMap((column, c) =>
        c === nameAt
          ? []
          : [
              ...(escaped.length ? [sql`lower(${column}) like any (${lowered})`] : []),
              ...(pgPatterns.length ? [sql`${column} ~ any (${phones})`] : []),
            ],
      ),
      ...(byNameTokens ? [byNameTokens] : []),
      ...(bySubjectTokens ? [bySubjectTokens] : []),
    ];
    // Contacts when the person has no name words: nothing can match there.
    if (!indexed && !conditions.length) continue;
    const mentioned = indexed ?? sql.join(conditions, sql` or `);
    // A row with no subject at all (a hold on a conversation) is "someone else's": coalesce keeps it in.
    const found = (await tx
      .select({
        id: t.id,
        held: sql<boolean>`${rowHeld(catalog, t.key)}`,
        // Where an agent reviews a possible mention (and redacts it): the conversation the row belongs to.
        conversation: sql<string | null>`${reviewPlaceOf(catalog, t.key)}`,
        ...Object.fromEntries(t.columns.map((c, i) => [`c${i}`, c])),
        ...(isMessages ? sealedMessageColumns : {}),
        ...(nameAt >= 0 ? sealedNameColumns : {}),
        ...(subjectAt >= 0 ? sealedSubjectColumns : {}),
      })
      .from(t.table)
      .where(
        and(sql`not coalesce((${subjectCondition(catalog, t.key, contactId)}), false)`, sql`(${mentioned})`),
      )) as Array<Record<string, unknown>>;
    const sealedOwners = isMessages ? await openFoundMessages(keys, found, bodyAt, htmlAt) : new Map();
    const sealedNames = nameAt >= 0 ? await openFoundNames(keys, found, nameAt) : new Set<string>();
    const sealedSubjects = subjectAt >= 0 ? await openFoundSubjects(keys, found, subjectAt) : new Map<string, string>();
    const hits: Array<{ id: unknown; values: Array<string | null> }> = [];
    for (const row of found) {
      const before = t.columns.map((_, c) => row[`c${c}`]);
      const after = before.map((v) => (typeof v === 'string' && certain ? v.replace(certain, ERASED_MARKER) : null));
      const differs = after.some((v, c) => v !== before[c] && typeof before[c] === 'string');
      if (after.some((v) => v !== null && mentions.possible?.test(v)))
        possible.push({
          table: t.name,
          id: String(row.id),
          conversationId: typeof row.conversation === 'string' ? row.conversation : null,
        });
      if (!differs) continue;
      if (row.held) held++;
      else {
        hits.push({ id: row.id, values: after });
        if (typeof row.conversation === 'string') touchedConversations.add(row.conversation);
      }
    }
    await writeSealedMentions(
      tx,
      keys,
      hits.flatMap((h) => {
        const owner = sealedOwners.get(String(h.id));
        return owner ? [{ id: String(h.id), body: h.values[bodyAt]!, html: h.values[htmlAt] ?? null, owner }] : [];
      }),
    );
    await writeSealedNames(
      tx,
      { dataKeys: keys, blindIndex },
      hits.flatMap((h) =>
        sealedNames.has(String(h.id)) ? [{ id: String(h.id), name: h.values[nameAt] ?? null }] : [],
      ),
    );
    await writeSealedSubjects(
      tx,
      keys,
      hits.flatMap((h) => {
        const owner = sealedSubjects.get(String(h.id));
        const subject = h.values[subjectAt];
        return owner && typeof subject === 'string' ? [{ id: String(h.id), subject, owner }] : [];
      }),
    );
    const sealed = (id: unknown) =>
      sealedOwners.has(String(id)) || sealedNames.has(String(id)) || sealedSubjects.has(String(id));
    const plain = hits.filter((h) => !sealed(h.id));
    // One UPDATE per 500 rows rather than per row (a round trip each); the new texts are computed here.
    const idType = sql.raw(t.id.getSQLType());
    for (let i = 0; i < plain.length; i += 500) {
      const values = plain.slice(i, i + 500).map(
        (row) =>
          sql`(${row.id}::${idType}, ${sql.join(
            row.values.map((value) => sql`${value}::text`),
            sql`, `,
          )})`,
      );
      const names = t.columns.map((_, c) => sql.raw(`c${c}`));
      const set = sql.join(
        t.columns.map((column, c) => sql`${sql.identifier(column.name)} = v.${names[c]!}`),
        sql`, `,
      );
      await tx.execute(
        sql`update ${t.table} set ${set}
          from (values ${sql.join(values, sql`, `)}) as v(id, ${sql.join(names, sql`, `)})
          where ${t.id} = v.id`,
      );
    }
    changed += hits.length;
    if (hits.length > 0) tables.add(t.name);
  }
  return { changed, held, possible, tables, conversations: touchedConversations };
}
