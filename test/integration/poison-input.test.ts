import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { dbMode } from '../helpers/db.ts';
import { rawMail } from '../helpers/email.ts';
import { attachments, contactIdentities, conversations, inboxes, messages } from '../../drizzle/schema/index.ts';
import { ingestMail } from '../../channels/email/inbound.ts';
import { parseEmailSettings } from '../../channels/email/settings.ts';
import { ingest } from '../../server/domain/ingest.ts';
import { openedMessages } from '../helpers/opened-messages.ts';
import { addressOf } from '../helpers/identities.ts';
import { identityKeysOf } from '../../server/domain/identity-address.ts';
import { phoneThreadToken } from '../../server/domain/thread-keys.ts';

/**
 * Text PostgreSQL cannot store (NUL in text, unpaired UTF-16 surrogates in jsonb) arrives from every provider.
 * Whatever field carries it, the message is stored once, cleaned (U+FFFD where the character was) and marked
 * for the agent, and a redelivery is recognised as the same message.
 */
describe(`poison input from any channel is stored cleaned, on ${dbMode}`, () => {
  let server: TestServer;
  let smsInbox: string;
  let mailInbox: string;

  beforeAll(async () => {
    server = await startTestServer({ EMAIL_IMAP_ENABLED: 'false' });
    const rows = await server.root.db
      .insert(inboxes)
      .values([
        { name: 'Poison SMS', channel: 'sms', settings: { phoneNumber: '+15550100042' } },
        {
          name: 'Poison mail',
          channel: 'email',
          settings: {
            address: 'support@shop.example',
            imap: { host: '127.0.0.1', port: 1, secure: false, user: 'unused', password: 'unused' },
            smtp: { host: '127.0.0.1', port: 1, secure: false, user: 'unused', password: 'unused' },
            subjectThreadDays: 7,
          },
        },
      ])
      .returning();
    smsInbox = rows[0]!.id;
    mailInbox = rows[1]!.id;
  });
  afterAll(() => server?.stop());

  it('cleans every field of an inbound message in ingest, marks it, and knows the redelivery as a replay', async () => {
    const poisoned = {
      channel: 'sms' as const,
      inboxId: smsInbox,
      sender: { kind: 'phone' as const, address: '+1555\u00000142', name: 'Eve\uD800' },
      threadKey: '+1555\u00000142|+15550100042',
      externalId: 'SM\u0000poison',
      text: 'Where is\u0000 my order?\uDFFF',
      occurredAt: new Date(),
      metadata: { note: 'a\u0000b', ['k\uD800']: ['\uDC00'] },
      attachments: [{ filename: 'photo\u0000.jpg', contentType: 'image/jpeg', content: Buffer.from('jpeg') }],
    };
    const deps = server.root;
    const first = await ingest(deps, poisoned);
    const again = await ingest(deps, poisoned);
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, message: { id: first.message.id } });

    const [row] = await openedMessages(server.root.db, server.root.dataKeys, eq(messages.id, first.message.id));
    expect(row!.body).toBe('Where is\uFFFD my order?\uFFFD');
    expect(row!.externalId).toBe('SM\uFFFDpoison');
    expect(row!.metadata).toEqual({
      note: 'a\uFFFDb',
      ['k\uFFFD']: ['\uFFFD'],
      markers: [
        {
          kind: 'text_cleaned',
          detail:
            'characters that cannot be stored (NUL, broken Unicode) were replaced with \uFFFD in: ' +
            'sender, thread, message id, text, provider details, file name',
          event: {
            code: 'characters_replaced',
            args: { fields: 'sender, thread, message id, text, provider details, file name' },
          },
        },
      ],
    });
    expect(first.message.markers).toEqual(row!.metadata.markers);
    const [identity] = await server.root.db
      .select()
      .from(contactIdentities)
      .where(eq(contactIdentities.contactId, first.contactId));
    expect(await addressOf(server.root.db, identity!)).toBe('+1555\uFFFD0142');
    const [conversation] = await server.root.db
      .select()
      .from(conversations)
      .where(eq(conversations.id, first.conversation.id));
    // The cleaned pair of numbers, stored as its token (thread-keys.ts): the same pair threads as before.
    expect(conversation!.threadKey).toBe(
      phoneThreadToken(identityKeysOf(server.root.db).blindIndex, '+1555\uFFFD0142|+15550100042'),
    );
    const files = await server.root.db.select().from(attachments).where(eq(attachments.messageId, first.message.id));
    expect(files.map((f) => f.filename)).toEqual(['photo\uFFFD.jpg']);
  });

  it('ingests a mail with NUL in its Message-ID, References, From name, Subject and body once, marked', async () => {
    const settings = parseEmailSettings(
      (await server.root.db.select().from(inboxes).where(eq(inboxes.id, mailInbox)))[0]!.settings,
    );
    const deps = { ...server.root, adapter: server.root.adapters.email, log: server.fastify.log, maxTextChars: 10_000 };
    const raw = Buffer.from(
      rawMail({
        from: '"Mal\u0000lory" <mallory@customer.example>',
        to: 'support@shop.example',
        subject: 'Invoice\u0000 question',
        messageId: '<nul\u0000id@customer.example>',
        references: ['<ref\u0000one@customer.example>'],
        text: 'Please\u0000 check the invoice.',
      }),
    );
    const context = (uid: number) => ({ mailbox: 'INBOX', uid, size: raw.length, truncated: false });
    expect(await ingestMail(deps, mailInbox, settings, raw, context(1))).toBe('ingested');
    expect(await ingestMail(deps, mailInbox, settings, raw, context(2))).toBe('replay');
    const rows = await openedMessages(server.root.db, server.root.dataKeys, eq(messages.channel, 'email'));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.body).toContain('Please check the invoice.');
    expect(rows[0]!.metadata.markers).toEqual([
      {
        kind: 'text_cleaned',
        detail: 'NUL characters, which cannot be stored, were removed',
        event: { code: 'nul_removed', args: {} },
      },
    ]);
  });
});
