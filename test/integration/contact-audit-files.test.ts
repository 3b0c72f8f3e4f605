import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { dbMode } from '../helpers/db.ts';
import { startTestServer, type AgentClient, type TestServer } from '../helpers/server.ts';
import { rowsOf } from '../../server/db/client.ts';
import { ingest } from '../../server/domain/ingest.ts';
import { appendAudit } from '../../server/privacy/audit.ts';
import { sealStagedAudit } from '../../server/privacy/audit-staging.ts';
import { attachments, auditLog, contactIdentities, inboxes, messages } from '../../drizzle/schema/index.ts';
import { identityIs } from '../helpers/identities.ts';

type Item = { action: string; targetType: string; targetId: string; fields: string[] };

/**
 * Issue 21 item 7 for files and participants: storing, changing and removing a file or a From/To/Cc participant
 * leaves an audit entry (ids and field names, never a file name or an address) in the person's audit view; and
 * that view finds entries by the indexed audit_log.contact_id, which the database derives from hashed content.
 */
describe(`the contact audit view: files, participants and its index (${dbMode})`, () => {
  let server: TestServer;
  let admin: AgentClient;
  let mailInboxId: string;
  const view = async (contactId: string): Promise<Item[]> => {
    const res = await admin.get(`/api/privacy/contacts/${contactId}/audit`);
    expect(res.status).toBe(200);
    return res.body.items;
  };
  const contactOf = async (address: string) =>
    (
      await server.root.db
        .select()
        .from(contactIdentities)
        .where(identityIs(server.root.db, 'email', address))
    )[0]!.contactId;

  beforeAll(async () => {
    server = await startTestServer();
    admin = await server.agentClient('admin');
    const [mail] = await server.root.db.insert(inboxes).values({ name: 'Mail', channel: 'email' }).returning();
    mailInboxId = mail!.id;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('audits a file stored, changed and erased, and a Cc participant added and removed', async () => {
    const first = await ingest(server.root, {
      channel: 'email',
      inboxId: mailInboxId,
      sender: { kind: 'email', address: 'hanna.owner@example.org', name: 'Hanna Owner' },
      participants: [{ kind: 'email', address: 'cecil.copy@example.net', name: 'Cecil Copy', role: 'cc' }],
      threadKey: '<hanna-1@example.org>',
      externalId: '<hanna-1@example.org>',
      subject: 'Broken tent',
      text: 'The tent arrived broken, photo attached.',
      attachments: [{ filename: 'tent-photo.png', contentType: 'image/png', content: Buffer.from('png-bytes') }],
      occurredAt: new Date(),
    });
    const hanna = first.conversation.contact.id;
    const cecil = await contactOf('cecil.copy@example.net');
    const [file] = await server.root.db.select().from(attachments).where(eq(attachments.messageId, first.message.id));

    const hannas = await view(hanna);
    expect(hannas).toContainEqual(
      expect.objectContaining({
        action: 'attachment.stored',
        targetType: 'attachment',
        targetId: file!.id,
        fields: ['filename', 'content_type', 'size', 'file'],
      }),
    );
    const cecils = await view(cecil);
    expect(cecils.map((e) => e.action)).toEqual(
      expect.arrayContaining(['contact.created', 'conversation.participant_added']),
    );
    expect(cecils.find((e) => e.action === 'conversation.participant_added')).toMatchObject({
      targetType: 'conversation',
      targetId: first.conversation.id,
      fields: ['participant.cc'],
    });
    // The sender is a participant too ('from').
    expect(hannas.find((e) => e.action === 'conversation.participant_added')?.fields).toEqual(['participant.from']);

    // A change of a stored file names the changed field only.
    await server.root.db.update(attachments).set({ filename: 'renamed.png' }).where(eq(attachments.id, file!.id));
    const renamed = (await view(hanna)).find((e) => e.action === 'attachment.updated');
    expect(renamed).toMatchObject({ targetId: file!.id, fields: ['filename'] });

    // Erasing Hanna removes her file and Cecil's place in her conversation: each in its person's view.
    expect((await admin.post(`/api/contacts/${hanna}/erase`, { confirm: true })).status).toBe(200);
    const erased = (await view(hanna)).find((e) => e.action === 'attachment.deleted');
    expect(erased).toMatchObject({ targetId: file!.id, fields: ['filename', 'content_type', 'size', 'file'] });
    const removed = (await view(cecil)).find((e) => e.action === 'conversation.participant_removed');
    expect(removed).toMatchObject({ targetId: first.conversation.id, fields: ['participant.cc'] });
    const [entry] = await server.root.db.select().from(auditLog).where(eq(auditLog.action, 'attachment.deleted'));
    expect(entry!.details).toMatchObject({ process: 'erasure', contactId: hanna });

    const everything = JSON.stringify(await server.root.db.select().from(auditLog));
    for (const value of ['tent-photo', 'renamed.png', 'cecil.copy', 'hanna.owner', 'Cecil Copy', 'png-bytes'])
      expect(everything).not.toContain(value);
    expect((await admin.get('/api/privacy/audit/verify')).body).toMatchObject({ ok: true, firstBroken: null });
  });

  it('derives contact_id from hashed content, refuses to have it written, and finds entries by index', async () => {
    const alone = await ingest(server.root, {
      channel: 'email',
      inboxId: mailInboxId,
      sender: { kind: 'email', address: 'ivo.index@example.org', name: 'Ivo Index' },
      threadKey: '<ivo-1@example.org>',
      externalId: '<ivo-1@example.org>',
      text: 'Where is my order?',
      occurredAt: new Date(),
    });
    const ivo = alone.conversation.contact.id;
    await sealStagedAudit(server.root.db);
    const received = await server.root.db.select().from(auditLog).where(eq(auditLog.targetId, alone.message.id));
    expect(received.map((e) => e.contactId)).toEqual([ivo]);

    // An entry written before entries about messages named their contact is still found, through its target.
    await server.root.db.transaction((tx) =>
      appendAudit(tx, {
        actorKind: 'system',
        actorId: null,
        action: 'message.legacy_touch',
        targetType: 'message',
        targetId: alone.message.id,
        details: { fields: ['body'] },
      }),
    );
    // Entries about many people name them in contactIds (a retention sweep).
    await server.root.db.transaction((tx) =>
      appendAudit(tx, {
        actorKind: 'system',
        actorId: null,
        action: 'retention.swept',
        targetType: 'messages',
        targetId: null,
        details: { count: 2, contactIds: [ivo, '00000000-0000-4000-8000-000000000000'], fields: ['messages'] },
      }),
    );
    const actions = (await view(ivo)).map((e) => e.action);
    expect(actions.slice(0, 2)).toEqual(['retention.swept', 'message.legacy_touch']);
    expect(actions).toContain('message.received');
    const [legacy] = await server.root.db.select().from(auditLog).where(eq(auditLog.action, 'message.legacy_touch'));
    expect(legacy!.contactId).toBeNull();

    await expect(
      server.root.db.execute(
        sql`insert into audit_log (actor_kind, action, target_type, details, prev_hash, hash, contact_id)
          values ('system', 'forged', 'contact', '{}', 'x', 'y', ${ivo})`,
      ),
    ).rejects.toThrow();

    // The lookups are served by the new indexes (seq scans off, so the plan shows what an index can serve).
    const plan = await server.root.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      const named = rowsOf<{ 'QUERY PLAN': string }>(
        await tx.execute(sql`explain select id from audit_log where contact_id = ${ivo} order by id desc limit 200`),
      );
      const many = rowsOf<{ 'QUERY PLAN': string }>(
        await tx.execute(
          sql`explain select id from audit_log where details -> 'contactIds' @> jsonb_build_array(${ivo}::text)`,
        ),
      );
      return [...named, ...many].map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('audit_log_contact');
    expect(plan).toContain('audit_log_contact_ids');
    expect((await admin.get('/api/privacy/audit/verify')).body).toMatchObject({ ok: true, firstBroken: null });
    // No message row was changed by any of this.
    expect((await server.root.db.select().from(messages).where(eq(messages.id, alone.message.id))).length).toBe(1);
  });
});
