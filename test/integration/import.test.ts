import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEvidence } from '../../server/privacy/consent-evidence.ts';
import { openMessageTexts, openSubjects } from '../../server/domain/message-text.ts';
import { openContact } from '../../server/domain/contact-fields.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, eq, like } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { privacyDeps } from '../helpers/privacy-deps.ts';
import { chatwootExport, csvExport, zendeskExport } from '../helpers/import-fixtures.ts';
import { importFiles, type ImportRequest } from '../../server/import/index.ts';
import {
  attachments,
  consentEvents,
  contacts,
  conversations,
  messages,
  retentionPolicies,
} from '../../drizzle/schema/index.ts';

describe(`importing another helpdesk's export (${dbMode})`, () => {
  let ctx: Awaited<ReturnType<typeof privacyDeps>>;
  const now = new Date('2026-12-01T00:00:00Z');
  const options = { inactiveSince: null, closedOlderThanYears: null, keepFields: [], redactOnImport: false, now };

  beforeAll(async () => {
    ctx = await privacyDeps();
  });
  afterAll(() => ctx.close());

  const run = (request: Partial<ImportRequest> & Pick<ImportRequest, 'from' | 'files'>) =>
    importFiles(ctx.deps, { filesDir: null, inboxId: null, options, dryRun: false, ...request });
  /** The imported messages as stored, their text opened (stored sealed, issue 22). */
  const importedMessages = async (system: string) =>
    openMessageTexts(
      ctx.deps.dataKeys,
      await ctx.deps.db
        .select()
        .from(messages)
        .where(like(messages.externalId, `import:${system}:%`))
        .orderBy(asc(messages.createdAt)),
    );

  it('Zendesk: a dry run shows the plan and writes nothing; the import writes it through ingest, once', async () => {
    const { paths, filesDir } = zendeskExport(mkdtempSync(join(tmpdir(), 'zendesk-')));
    const request = {
      from: 'zendesk' as const,
      files: paths,
      filesDir,
      options: { ...options, inactiveSince: new Date('2020-01-01'), closedOlderThanYears: 5 },
    };
    const dry = await run({ ...request, dryRun: true });
    expect(dry.report).toBeNull();
    expect(await importedMessages('zendesk')).toEqual([]);
    expect(dry.plan.inSource).toEqual({ contacts: 3, conversations: 3, messages: 5, attachments: 1 });
    expect(dry.plan.included).toEqual({
      contacts: 1,
      conversations: 1,
      messages: 3,
      agentMessages: 1,
      notes: 1,
      attachments: 1,
    });
    expect(dry.plan.excluded.closed_long_ago).toEqual({ conversations: 1, messages: 1 });
    expect(dry.plan.excluded.inactive_contact).toEqual({ conversations: 1, messages: 1 });
    expect(dry.plan.fieldsDropped.ticket).toEqual({ priority: 1, tags: 1, custom_fields: 1, via: 1 });
    expect(dry.plan.fieldsDropped.user_fields).toEqual({ loyalty_level: 1 });
    expect(dry.plan.pii).toMatchObject({ card: 1, iban: 0, special_category: 0 });
    expect(dry.plan.consent).toEqual({
      events: { support: 1 },
      withoutEvidence: { marketing: 1 },
      contactsWithNone: 0,
    });
    // The plan holds counts and names, never a value from the export.
    expect(JSON.stringify(dry.plan)).not.toMatch(/Aino|4111|example\.fi|charged/i);

    const { plan, report } = await run(request);
    expect(report!.differences).toEqual([]);
    expect(report!.written).toEqual({ messages: 3, alreadyThere: 0, consentEvents: 1 });
    expect(report!.after.messages).toEqual(report!.before.messages);
    expect(report!.dataMap.map((d) => d.count)).toEqual([1, 1, 3, 1, 1, 0]);
    expect(plan.included.messages).toBe(3);

    const stored = await importedMessages('zendesk');
    expect(stored.map((m) => [m.direction, m.kind, m.authorKind, m.body])).toEqual([
      ['inbound', 'message', 'contact', 'I was charged twice on card [redacted] (…1111), receipt attached'],
      ['outbound', 'message', 'agent', 'Sorry, refunded.'],
      ['internal', 'note', 'agent', 'Checked with billing'],
    ]);
    expect(stored[0]!.html).not.toContain('4111');
    expect(stored[0]!.createdAt.toISOString()).toBe('2026-10-01T09:00:00.000Z');
    const [conversation] = await ctx.deps.db
      .select()
      .from(conversations)
      .where(eq(conversations.id, stored[0]!.conversationId));
    expect(conversation).toMatchObject({ status: 'open', threadKey: 'import:zendesk:101' });
    // Stored sealed (issue 22), as ingest stores every new conversation's subject.
    expect(conversation!.subject).toMatch(/^pdk:v1:/);
    expect((await openSubjects(ctx.deps.dataKeys, [conversation!]))[0]!.subject).toBe('Double charge');
    const [row] = await ctx.deps.db.select().from(contacts).where(eq(contacts.id, conversation!.contactId));
    // Stored sealed (issue 22), as ingest stores every new contact: opened as the contact page shows it.
    const contact = await openContact(ctx.deps.dataKeys, row!);
    expect(contact).toMatchObject({ name: 'Aino Virtanen', email: 'aino@example.fi' });
    const files = await ctx.deps.db.select().from(attachments).where(eq(attachments.messageId, stored[0]!.id));
    expect(files.map((f) => f.filename)).toEqual(['receipt.pdf']);
    // Consent with evidence carried over as it was given; the bare "true" for marketing is not consent.
    const consent = await ctx.deps.db.select().from(consentEvents).where(eq(consentEvents.contactId, contact.id));
    expect(consent).toHaveLength(1);
    expect(consent[0]).toMatchObject({ purpose: 'support', granted: true, policyVersion: 'import:zendesk' });
    expect((await openEvidence(ctx.deps.dataKeys, consent))[0]).toMatchObject({
      source: 'import',
      recordedInSource: 'web form v3, checkbox ticked',
    });
    expect(consent[0]!.occurredAt.toISOString()).toBe('2024-01-02T10:00:00.000Z');

    // Again: nothing twice.
    const again = await run(request);
    expect(again.report!.written).toEqual({ messages: 0, alreadyThere: 3, consentEvents: 0 });
    expect(again.report!.differences).toEqual([]);
    expect(await importedMessages('zendesk')).toHaveLength(3);
    expect(again.report!.importId).toBe(report!.importId);
  });

  it('Chatwoot: activity messages stay out, a chosen field is kept, redact-on-import takes Art. 9 out', async () => {
    const { paths } = chatwootExport(mkdtempSync(join(tmpdir(), 'chatwoot-')));
    const { plan, report } = await run({
      from: 'chatwoot',
      files: paths,
      options: { ...options, keepFields: ['plan_tier'], redactOnImport: true },
    });
    expect(plan.fieldsDropped.conversation).toEqual({ inbox_id: 1, labels: 1 });
    expect(plan.fieldsDropped.conversation_custom_attributes).toBeUndefined();
    expect(plan.fieldsDropped.contact).toEqual({ additional_attributes: 1 });
    expect(plan.pii.special_category).toBe(1);
    expect(report!.differences).toEqual([]);
    const stored = await importedMessages('chatwoot');
    expect(stored.map((m) => [m.authorKind, m.body])).toEqual([
      ['contact', 'Jag är [redacted] och behöver byta storlek'],
      ['agent', 'Självklart, vi byter.'],
    ]);
    expect(stored[0]!.metadata.importedFields).toEqual({ plan_tier: 'pro' });
    expect(stored[0]!.channel).toBe('sms');
    const [conversation] = await ctx.deps.db
      .select()
      .from(conversations)
      .where(eq(conversations.id, stored[0]!.conversationId));
    expect(conversation!.status).toBe('resolved');
    const consent = await ctx.deps.db
      .select()
      .from(consentEvents)
      .where(eq(consentEvents.contactId, conversation!.contactId));
    const evidence = await openEvidence(ctx.deps.dataKeys, consent);
    expect(consent.map((c, i) => [c.purpose, evidence[i]!.recordedInSource])).toEqual([
      ['analytics', 'widget notice v2 accepted'],
    ]);
  });

  it('CSV: conversations older than the messages retention period stay out', async () => {
    await ctx.deps.db
      .insert(retentionPolicies)
      .values({ dataClass: 'messages', retainDays: 365, enabled: true })
      .onConflictDoUpdate({ target: retentionPolicies.dataClass, set: { retainDays: 365, enabled: true } });
    const { paths } = csvExport(mkdtempSync(join(tmpdir(), 'csv-')));
    const { plan, report } = await run({ from: 'csv', files: paths });
    expect(plan.retention.messagesDays).toBe(365);
    expect(plan.excluded.retention).toEqual({ conversations: 1, messages: 1 });
    expect(plan.fieldsDropped.row).toEqual({ order_channel: 2 });
    expect(plan.pii.iban).toBe(1);
    expect(plan.consent).toEqual({ events: { support: 1 }, withoutEvidence: {}, contactsWithNone: 0 });
    expect(report!.differences).toEqual([]);
    const stored = await importedMessages('csv');
    expect(stored.map((m) => [m.authorKind, m.body])).toEqual([
      ['contact', 'Hello, my IBAN is DE89 3704 0044 0532 0130 00'],
      ['agent', 'Thanks, refund is on its way'],
    ]);
    // The IBAN is flagged to agents under the inbox's default policy, not removed.
    expect(stored[0]!.metadata.markers).toEqual([
      { kind: 'pii_flagged', detail: 'may contain: IBAN (1)', event: { code: 'pii_may_contain', args: { iban: 1 } } },
    ]);
  });
});
