import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { and, eq, inArray, like, sql } from 'drizzle-orm';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Db } from '../db/client.ts';
import type { InboundMessage } from '../../channels/types.ts';
import type { ChannelKind, IdentityKind } from '../../drizzle/schema/enums.ts';
import {
  attachments,
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
const CONCURRENCY = 32;

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
  const contactIds = new Map<string, string>();
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
    let conversationId: string | null = null;
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
      if (m.author === 'contact') {
        const result = await ingest(deps, inbound);
        conversationId = result.conversation.id;
        contactIds.set(c.contactKey, result.contactId);
        if (result.created) created++;
        else replayed++;
      } else {
        const wrote = await writeStaffMessage(deps, conversationId!, asStored, m, files);
        if (wrote) created++;
        else replayed++;
      }
      done++;
      input.onProgress?.(done, total);
    }
    await restoreTimes(deps.db, conversationId!, c, system);
  }

  const queue = [...input.conversations];
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) await one(c);
    }),
  );

  const consentWritten = await carryConsent(deps, source, contactIds, system);
  for (const key of new Set(input.conversations.map((c) => c.contactKey)))
    expected.contacts.push(senderOf(system, source.contacts.get(key), key).address);
  const before = tally(expected);
  const after = tally(await stored(deps.db, inboxId, system, expected.conversations));
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

/** An agent's reply or a note, into the conversation its customer's first message opened; once per external id. */
async function writeStaffMessage(
  deps: ImportDeps,
  conversationId: string,
  inbound: InboundMessage,
  m: SourceMessage,
  files: Array<{ filename: string; contentType: string; content: Buffer }>,
): Promise<boolean> {
  const note = m.author === 'note';
  const [row] = await deps.db
    .insert(messages)
    .values({
      conversationId,
      channel: inbound.channel,
      direction: note ? 'internal' : 'outbound',
      kind: note ? 'note' : 'message',
      authorKind: 'agent',
      body: inbound.text,
      html: inbound.html ?? null,
      externalId: inbound.externalId,
      deliveryState: note ? 'stored' : 'sent',
      metadata: { ...inbound.metadata, importedAuthor: m.authorName },
      occurredAt: m.occurredAt,
      createdAt: m.occurredAt,
    })
    .onConflictDoNothing()
    .returning({ id: messages.id });
  if (!row) return false;
  for (const f of files) {
    const blob = await deps.blobs.put(f.content);
    await deps.db.insert(attachments).values({
      messageId: row.id,
      blobId: blob.id,
      filename: f.filename,
      contentType: f.contentType,
      size: blob.size,
    });
  }
  return true;
}

/** The source's times, not the import's: history reads in its order, and retention counts from when it happened. */
async function restoreTimes(db: Db, conversationId: string, c: SourceConversation, system: string) {
  const last = new Date(Math.max(...c.messages.map((m) => m.occurredAt.getTime())));
  await db
    .update(messages)
    .set({ createdAt: sql`${messages.occurredAt}` })
    .where(and(eq(messages.conversationId, conversationId), like(messages.externalId, `import:${system}:%`)));
  await db
    .update(conversations)
    .set({ createdAt: c.createdAt, lastMessageAt: last, updatedAt: last, status: c.closedAt ? 'resolved' : 'open' })
    .where(eq(conversations.id, conversationId));
}

/** Consent with evidence in the source, once per contact and purpose; contacts without evidence get none. */
async function carryConsent(deps: ImportDeps, source: Source, contactIds: Map<string, string>, system: string) {
  let written = 0;
  for (const [key, contactId] of contactIds) {
    const contact = source.contacts.get(key);
    if (!contact?.consents.length) continue;
    const existing = await deps.db
      .select({ evidence: consentEvents.evidence })
      .from(consentEvents)
      .where(eq(consentEvents.contactId, contactId));
    const fresh = contact.consents.filter(
      (c) => !existing.some((e) => e.evidence.importKey === `${system}:${key}:${c.purpose}`),
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
  const msgs = ids.length
    ? await db
        .select({ id: messages.id, externalId: messages.externalId, body: messages.body })
        .from(messages)
        .where(and(inArray(messages.conversationId, ids), like(messages.externalId, `import:${system}:%`)))
    : [];
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
        .select({ address: contactIdentities.address, contactId: contactIdentities.contactId })
        .from(contactIdentities)
        .where(inArray(contactIdentities.contactId, contactIds))
    : [];
  // One identity per contact: the one its conversations were opened with (the first identity found).
  const perContact = new Map<string, string>();
  for (const i of identities) if (!perContact.has(i.contactId)) perContact.set(i.contactId, i.address);
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
