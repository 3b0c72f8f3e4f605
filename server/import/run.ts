import { openMessageTexts, type TextKeys } from '../domain/message-text.ts';
import { createHash, randomUUID } from 'node:crypto';
import { withAddresses } from '../domain/identity-address.ts';
import { sealMessageTexts, type SealedMessageText } from '../domain/message-store.ts';
import { readFile } from 'node:fs/promises';
import { and, eq, inArray, like, sql } from 'drizzle-orm';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Db } from '../db/client.ts';
import type { InboundMessage } from '../../channels/types.ts';
import type { ChannelKind, IdentityKind } from '../../drizzle/schema/enums.ts';
import {
  attachments,
  auditStaged,
  consentEvents,
  contactIdentities,
  conversations,
  imports,
  messages,
} from '../../drizzle/schema/index.ts';
import { ingest, type IngestDeps } from '../domain/ingest.ts';
import { storableInbound } from '../domain/storable-text.ts';
import { appendAudit } from '../privacy/audit.ts';
import { recordConsent, type ConsentDeps } from '../privacy/consent.ts';
import { applyPiiPolicy } from '../privacy/pii/apply.ts';
import type { PiiPolicy } from '../privacy/pii/policy.ts';
import { sanitizeMailHtml } from '../../channels/email/sanitize.ts';
import type { ImportPlan } from './plan.ts';
import type { Source, SourceContact, SourceConversation, SourceMessage } from './source.ts';
import { openEvidence } from '../privacy/consent-evidence.ts';

export type ImportDeps = IngestDeps & ConsentDeps & { blobs: NonNullable<IngestDeps['blobs']> };

type Entity = 'contacts' | 'conversations' | 'messages' | 'attachments';
type Tally = Record<Entity, { count: number; sha256: string }>;

export type ImportReport = {
  importId: string;
  written: { messages: number; alreadyThere: number; consentEvents: number };
  before: Tally;
  after: Tally;
  differences: string[];
  dataMap: Array<{ from: string; to: string; count: number }>;
};

const ALL_REDACT: PiiPolicy = {
  card: 'redact',
  iban: 'redact',
  national_id: 'redact',
  password: 'redact',
  special_category: 'redact',
};
const CONCURRENCY = 256;

const sha = (parts: string[]) => createHash('sha256').update(parts.sort().join('\n')).digest('hex');
const tally = (parts: Record<Entity, string[]>): Tally =>
  Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, { count: v.length, sha256: sha([...v]) }])) as Tally;

/** The identity a contact's messages come from: an email address, else an E.164 phone, else a stable import key. */
function senderOf(system: string, contact: SourceContact | undefined, key: string) {
  const email = contact?.email?.trim().toLowerCase();
  if (email) return { channel: 'email' as ChannelKind, kind: 'email' as IdentityKind, address: email };
  const phone = contact?.phone ? parsePhoneNumberFromString(contact.phone, 'DE') : undefined;
  if (phone?.isValid()) return { channel: 'sms' as ChannelKind, kind: 'phone' as IdentityKind, address: phone.number };
  return { channel: 'chat' as ChannelKind, kind: 'visitor' as IdentityKind, address: `import:${system}:${key}` };
}

/**
 * Writes the planned conversations: every customer message through ingest() (identity -> contact, conversation,
 * message, files; the inbox's PII policy, or redact-all when chosen), agents' replies and notes into the same
 * conversation after it; then the original times, consent with evidence, and the integrity report. Every row
 * carries an external id `import:<system>:<source id>`, so running it again writes nothing twice (resumable).
 */
export async function runImport(
  deps: ImportDeps,
  input: {
    source: Source;
    plan: ImportPlan;
    conversations: SourceConversation[];
    inboxId: string;
    sourceKey: string;
    keepFields: string[];
    onProgress?: (done: number, total: number) => void;
  },
): Promise<ImportReport> {
  const { source, plan, inboxId } = input;
  const system = source.system;
  const [row] = await deps.db
    .insert(imports)
    .values({ source: system, sourceKey: input.sourceKey, inboxId, plan })
    .onConflictDoUpdate({ target: imports.sourceKey, set: { plan, state: 'running' } })
    .returning({ id: imports.id });
  const importId = row!.id;
  const expected: Record<Entity, string[]> = { contacts: [], conversations: [], messages: [], attachments: [] };
  const total = input.conversations.reduce((n, c) => n + c.messages.length, 0);
  let done = 0;
  let created = 0;
  let replayed = 0;

  async function one(c: SourceConversation) {
    const contact = source.contacts.get(c.contactKey);
    const sender = senderOf(system, contact, c.contactKey);
    const threadKey = `import:${system}:${c.key}`;
    expected.conversations.push(threadKey);
    const kept = Object.fromEntries(Object.entries(c.fields).filter(([k]) => input.keepFields.includes(k)));
    const first = c.messages.find((m) => m.author === 'contact')!;
    const ordered = [first, ...c.messages.filter((m) => m !== first)];
    const prepared = [];
    for (const m of ordered) {
      const files = await readFiles(m);
      let inbound: InboundMessage = {
        channel: sender.channel,
        inboxId,
        sender: { kind: sender.kind, address: sender.address, ...(contact?.name ? { name: contact.name } : {}) },
        threadKey,
        externalId: `import:${system}:${m.key}`,
        text: m.text,
        ...(m.html ? { html: sanitizeMailHtml(m.html) } : {}),
        ...(m === first && c.subject ? { subject: c.subject } : {}),
        occurredAt: m.occurredAt,
        metadata: { imported: system, ...(m === first && Object.keys(kept).length ? { importedFields: kept } : {}) },
        ...(files.length && m.author === 'contact' ? { attachments: files } : {}),
      };
      // Redact-on-import first, when chosen; then what ingest does to every message (cleaning, the inbox's
      // policy), which gives the text the integrity check expects to find stored.
      if (plan.redactOnImport) inbound = applyPiiPolicy(inbound, ALL_REDACT);
      const asStored = applyPiiPolicy(storableInbound(inbound), plan.piiPolicy);
      expected.messages.push(`${asStored.externalId}\n${asStored.text}`);
      for (const f of files) expected.attachments.push(`${asStored.externalId}\n${f.filename}\n${f.content.length}`);
      prepared.push({ m, inbound, asStored, files });
    }
    // A re-run (or a resumed run) skips what is stored: the messages' external ids were looked up in bulk.
    const fresh = prepared.filter((p) => !existing.has(p.inbound.externalId));
    replayed += prepared.length - fresh.length;
    if (fresh.length === 0) {
      done += prepared.length;
      input.onProgress?.(done, total);
      return;
    }
    let conversationId: string | null = null;
    for (const p of fresh) {
      if (p.m.author !== 'contact') continue;
      const result = await ingest(deps, p.inbound);
      conversationId = result.conversation.id;
      if (result.created) created++;
      else replayed++;
      input.onProgress?.(++done, total);
    }
    conversationId ??= await conversationOf(deps.db, inboxId, threadKey);
    // Agents' replies and notes, and the source's times, go in bulk after every conversation is open: a few
    // statements for the whole import rather than two per conversation.
    for (const p of fresh) if (p.m.author !== 'contact') staffQueue.push({ ...p, conversationId });
    touched.push({ id: conversationId, c });
    done += prepared.length - fresh.length;
    input.onProgress?.(done, total);
  }
  const staffQueue: StaffMessage[] = [];
  const touched: Array<{ id: string; c: SourceConversation }> = [];

  const existing = await storedExternalIds(
    deps.db,
    input.conversations.flatMap((c) => c.messages.map((m) => `import:${system}:${m.key}`)),
  );
  const queue = [...input.conversations];
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) await one(c);
    }),
  );
  for (let i = 0; i < staffQueue.length; i += 1000) {
    const batch = staffQueue.slice(i, i + 1000);
    const wrote = await writeStaffMessages(deps, batch);
    created += wrote;
    replayed += batch.length - wrote;
    done += batch.length;
    input.onProgress?.(done, total);
  }
  for (let i = 0; i < touched.length; i += 1000) await restoreTimes(deps.db, touched.slice(i, i + 1000), system);

  const contactIds = await contactsOf(deps.db, inboxId, input.conversations, system);
  const consentWritten = await carryConsent(deps, source, contactIds, system);
  for (const key of new Set(input.conversations.map((c) => c.contactKey)))
    expected.contacts.push(senderOf(system, source.contacts.get(key), key).address);
  const before = tally(expected);
  const after = tally(await stored(deps.db, deps.dataKeys, inboxId, system, expected.conversations));
  const differences = (Object.keys(before) as Entity[])
    .filter((k) => before[k].count !== after[k].count || before[k].sha256 !== after[k].sha256)
    .map((k) => {
      const checksums = before[k].sha256 !== after[k].sha256 ? ', checksums differ' : '';
      return `${k}: ${before[k].count} planned, ${after[k].count} stored${checksums}`;
    });
  const report: ImportReport = {
    importId,
    written: { messages: created, alreadyThere: replayed, consentEvents: consentWritten },
    before,
    after,
    differences,
    dataMap: dataMap(system, plan, after, consentWritten),
  };
  await deps.db.transaction(async (tx) => {
    await tx.update(imports).set({ report, state: 'done', finishedAt: new Date() }).where(eq(imports.id, importId));
    await appendAudit(tx, {
      actorKind: 'system',
      actorId: null,
      action: 'import.completed',
      targetType: 'import',
      targetId: importId,
      details: { source: system, inboxId, ...report.written, differences: differences.length },
    });
  });
  return report;
}

async function readFiles(m: SourceMessage) {
  const files = [];
  for (const a of m.attachments) {
    if (!a.path) continue;
    const content = await readFile(a.path).catch(() => null);
    if (content) files.push({ filename: a.filename, contentType: a.contentType, content });
  }
  return files;
}

/** Agents' replies and notes, into the conversation its customer's first message opened; once per external id. */
type StaffMessage = {
  m: SourceMessage;
  asStored: InboundMessage;
  files: Awaited<ReturnType<typeof readFiles>>;
  conversationId: string;
};

async function writeStaffMessages(deps: ImportDeps, staff: StaffMessage[]): Promise<number> {
  if (staff.length === 0) return 0;
  // Sealed with the key of each conversation's contact (message-store.ts), all in one encryptMany.
  const owners = new Map(
    (
      await deps.db
        .select({ id: conversations.id, contactId: conversations.contactId })
        .from(conversations)
        .where(inArray(conversations.id, [...new Set(staff.map((s) => s.conversationId))]))
    ).map((c) => [c.id, c.contactId]),
  );
  const ids = staff.map(() => randomUUID());
  const sealed = await sealMessageTexts(
    deps.dataKeys,
    staff.map(({ asStored, conversationId }, i) => ({
      id: ids[i]!,
      contactId: owners.get(conversationId)!,
      body: asStored.text,
      html: asStored.html ?? null,
    })),
  );
  const rows = await deps.db.transaction(async (tx) => {
    const written = await insertStaffMessages(tx, staff, ids, sealed);
    // Who touched this person's data (issue 21): staged with the rows, sealed into the chain by the seal job.
    if (written.length > 0)
      await tx.insert(auditStaged).values(
        written.map((row) => ({
          actorKind: 'system',
          actorId: null,
          action: 'message.imported',
          targetType: 'message',
          targetId: row.id,
          details: { process: 'import', fields: ['body'] },
        })),
      );
    return written;
  });
  const byExternalId = new Map(staff.map((s) => [s.asStored.externalId, s]));
  for (const row of rows) {
    const { files } = byExternalId.get(row.externalId!)!;
    for (const f of files) {
      const blob = await deps.blobs.put(f.content, { messageId: row.id });
      await deps.db.insert(attachments).values({
        messageId: row.id,
        blobId: blob.id,
        filename: f.filename,
        contentType: f.contentType,
        size: blob.size,
      });
    }
  }
  return rows.length;
}

function insertStaffMessages(tx: Db, staff: StaffMessage[], ids: string[], sealed: SealedMessageText[]) {
  return tx
    .insert(messages)
    .values(
      staff.map(({ m, asStored, conversationId }, i) => {
        const note = m.author === 'note';
        return {
          id: ids[i]!,
          ...sealed[i]!,
          conversationId,
          channel: asStored.channel,
          direction: note ? ('internal' as const) : ('outbound' as const),
          kind: note ? ('note' as const) : ('message' as const),
          authorKind: 'agent' as const,
          externalId: asStored.externalId,
          deliveryState: note ? ('stored' as const) : ('sent' as const),
          metadata: { ...asStored.metadata, importedAuthor: m.authorName },
          occurredAt: m.occurredAt,
          createdAt: m.occurredAt,
        };
      }),
    )
    .onConflictDoNothing()
    .returning({ id: messages.id, externalId: messages.externalId });
}

/** Which of these external ids are stored already (by the unique index, in chunks). */
async function storedExternalIds(db: Db, ids: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 5000) {
    const rows = await db
      .select({ externalId: messages.externalId })
      .from(messages)
      // Every channel an import writes to, so the lookup goes through the (channel, external id) unique index.
      .where(
        and(inArray(messages.channel, ['chat', 'email', 'sms']), inArray(messages.externalId, ids.slice(i, i + 5000))),
      );
    for (const r of rows) found.add(r.externalId!);
  }
  return found;
}

async function conversationOf(db: Db, inboxId: string, threadKey: string): Promise<string> {
  const [row] = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.inboxId, inboxId), eq(conversations.threadKey, threadKey)));
  if (!row) throw new Error('An imported conversation without its customer message');
  return row.id;
}

/** Each source contact's contact here, through the conversations the import opened for them. */
async function contactsOf(db: Db, inboxId: string, list: SourceConversation[], system: string) {
  const byThread = new Map(list.map((c) => [`import:${system}:${c.key}`, c.contactKey]));
  const out = new Map<string, string>();
  const keys = [...byThread.keys()];
  for (let i = 0; i < keys.length; i += 5000) {
    const rows = await db
      .select({ threadKey: conversations.threadKey, contactId: conversations.contactId })
      .from(conversations)
      .where(and(eq(conversations.inboxId, inboxId), inArray(conversations.threadKey, keys.slice(i, i + 5000))));
    for (const r of rows) out.set(byThread.get(r.threadKey!)!, r.contactId);
  }
  return out;
}

/** The source's times, not the import's: history reads in its order, and retention counts from when it happened. */
async function restoreTimes(db: Db, list: Array<{ id: string; c: SourceConversation }>, system: string) {
  const ids = list.map((t) => t.id);
  const created = list.map((t) => t.c.createdAt.toISOString());
  const last = list.map((t) => new Date(Math.max(...t.c.messages.map((m) => m.occurredAt.getTime()))).toISOString());
  const status = list.map((t) => (t.c.closedAt ? 'resolved' : 'open'));
  // One statement per thousand conversations: the messages' times and the conversations'.
  await db.execute(sql`
    with src as (
      select * from unnest(${`{${ids.join(',')}}`}::uuid[], ${`{${created.join(',')}}`}::timestamptz[],
        ${`{${last.join(',')}}`}::timestamptz[], ${`{${status.join(',')}}`}::conversation_status[])
        as t(id, created_at, last_at, status)
    ), restored as (
      update messages m set created_at = m.occurred_at from src
      where m.conversation_id = src.id and m.external_id like ${`import:${system}:%`} and m.created_at <> m.occurred_at
    )
    update conversations cv set created_at = src.created_at, last_message_at = src.last_at, updated_at = src.last_at,
      status = src.status
    from src where cv.id = src.id`);
}

/** Consent with evidence in the source, once per contact and purpose; contacts without evidence get none. */
async function carryConsent(deps: ImportDeps, source: Source, contactIds: Map<string, string>, system: string) {
  let written = 0;
  for (const [key, contactId] of contactIds) {
    const contact = source.contacts.get(key);
    if (!contact?.consents.length) continue;
    const existing = await openEvidence(
      deps.dataKeys,
      await deps.db
        .select({ id: consentEvents.id, evidence: consentEvents.evidence })
        .from(consentEvents)
        .where(eq(consentEvents.contactId, contactId)),
    );
    const fresh = contact.consents.filter(
      (c) => !existing.some((e) => e.importKey === `${system}:${key}:${c.purpose}`),
    );
    if (!fresh.length) continue;
    const sender = senderOf(system, contact, key);
    await recordConsent(
      deps,
      fresh.map((c) => ({
        contactId,
        purpose: c.purpose,
        granted: true,
        policyVersion: `import:${system}`,
        textHash: createHash('sha256').update(c.evidence).digest('hex'),
        sourceChannel: sender.channel,
        evidence: {
          source: 'import',
          system,
          importKey: `${system}:${key}:${c.purpose}`,
          recordedInSource: c.evidence,
          grantedAt: c.grantedAt.toISOString(),
        },
        actor: { kind: 'system' as const, id: null },
        occurredAt: c.grantedAt,
      })),
    );
    written += fresh.length;
  }
  return written;
}

/** What is stored for this import, read back from the database, in the same form as the plan's expectations. */
async function stored(
  db: Db,
  keys: TextKeys,
  inboxId: string,
  system: string,
  threadKeys: string[],
): Promise<Record<Entity, string[]>> {
  const convs = threadKeys.length
    ? await db
        .select({ id: conversations.id, threadKey: conversations.threadKey, contactId: conversations.contactId })
        .from(conversations)
        .where(and(eq(conversations.inboxId, inboxId), inArray(conversations.threadKey, threadKeys)))
    : [];
  const ids = convs.map((c) => c.id);
  // A re-run compares what is stored with the plan: sealed text is compared opened (an unreadable one never matches).
  const msgs = await openMessageTexts(
    keys,
    ids.length
      ? await db
          .select({ id: messages.id, externalId: messages.externalId, body: messages.body })
          .from(messages)
          .where(and(inArray(messages.conversationId, ids), like(messages.externalId, `import:${system}:%`)))
      : [],
  );
  const files = msgs.length
    ? await db
        .select({ messageId: attachments.messageId, filename: attachments.filename, size: attachments.size })
        .from(attachments)
        .where(
          inArray(
            attachments.messageId,
            msgs.map((m) => m.id),
          ),
        )
    : [];
  const byId = new Map(msgs.map((m) => [m.id, m.externalId]));
  const contactIds = [...new Set(convs.map((c) => c.contactId))];
  const identities = contactIds.length
    ? await db
        .select({
          id: contactIdentities.id,
          sealedAddress: contactIdentities.sealedAddress,
          contactId: contactIdentities.contactId,
        })
        .from(contactIdentities)
        .where(inArray(contactIdentities.contactId, contactIds))
        .then((rows) => withAddresses(db, rows))
    : [];
  // One identity per contact: the one its conversations were opened with (the first identity found).
  const perContact = new Map<string, string>();
  for (const i of identities) if (!perContact.has(i.contactId)) perContact.set(i.contactId, i.address ?? '');
  return {
    contacts: [...perContact.values()],
    conversations: convs.map((c) => c.threadKey!),
    messages: msgs.map((m) => `${m.externalId}\n${m.body}`),
    attachments: files.map((f) => `${byId.get(f.messageId)}\n${f.filename}\n${f.size}`),
  };
}

function dataMap(system: string, plan: ImportPlan, after: Tally, consent: number): ImportReport['dataMap'] {
  const names: Record<string, [string, string]> = {
    zendesk: ['users (end-users)', 'tickets'],
    chatwoot: ['contacts', 'conversations'],
    csv: ['contact columns', 'conversation_id groups'],
  };
  const [people, threads] = names[system]!;
  return [
    {
      from: `${system} ${people}`,
      to: 'contacts + contact_identities (email, phone or import key)',
      count: after.contacts.count,
    },
    {
      from: `${system} ${threads}`,
      to: 'conversations (thread key import:<system>:<id>)',
      count: after.conversations.count,
    },
    {
      from: `${system} messages`,
      to: 'messages (body, sanitized html; external id import:<system>:<id>)',
      count: after.messages.count,
    },
    { from: `${system} attachments`, to: 'attachments + the blob store', count: after.attachments.count },
    { from: `${system} consent fields with evidence`, to: 'consent_events (evidence.source = import)', count: consent },
    {
      from: `${system} custom fields kept (${plan.fieldsKept.join(', ') || 'none'})`,
      to: "messages.metadata.importedFields of the conversation's first message",
      count: plan.fieldsKept.length,
    },
  ];
}
