import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { testDatabase, dbMode } from '../helpers/db.ts';
import type { Database } from '../../server/db/client.ts';
import { contactIdentities, inboxes, messages } from '../../drizzle/schema/index.ts';
import { ingest } from '../../server/domain/ingest.ts';
import { DomainEventBus } from '../../server/domain/events.ts';
import { createInboxNameCache } from '../../server/domain/inbox-names.ts';
import { loadMessageViews } from '../../server/domain/views.ts';
import type { ChannelKind, InboundMessage } from '../../channels/types.ts';
import type { IdentityKind } from '../../drizzle/schema/enums.ts';
import { identityKeysOf } from '../../server/domain/identity-address.ts';
import { addressOf } from '../helpers/identities.ts';

/**
 * Every inbound message records the identity that wrote it, on every channel and on every path through ingest
 * (a new sender, a known sender and thread, a batch of messages arriving together, a replay).
 */
describe(`message authors on ${dbMode}`, () => {
  let database: Database;
  let deps: Parameters<typeof ingest>[0];
  const inboxOf: Partial<Record<ChannelKind, string>> = {};

  beforeAll(async () => {
    database = await testDatabase();
    deps = {
      db: database.db,
      events: new DomainEventBus(),
      inboxNames: createInboxNameCache(database.db),
      // The keys the database's writers use (contacts' sealed names), as the server's root shares them.
      dataKeys: identityKeysOf(database.db).dataKeys,
    };
    for (const channel of ['chat', 'email', 'sms', 'slack'] as const) {
      const [inbox] = await database.db.insert(inboxes).values({ name: channel, channel }).returning();
      inboxOf[channel] = inbox!.id;
    }
  });
  afterAll(() => database.close());

  const message = (channel: ChannelKind, kind: IdentityKind, address: string, thread: string): InboundMessage => ({
    channel,
    inboxId: inboxOf[channel]!,
    sender: { kind, address, name: `Writer ${address}` },
    threadKey: thread,
    externalId: `${channel}-${Math.random()}`,
    text: `from ${address}`,
    occurredAt: new Date(),
  });

  const authorOf = async (messageId: string) => {
    const [row] = await database.db
      .select({
        id: contactIdentities.id,
        kind: contactIdentities.kind,
        sealedAddress: contactIdentities.sealedAddress,
      })
      .from(messages)
      .innerJoin(contactIdentities, eq(contactIdentities.id, messages.authorIdentityId))
      .where(eq(messages.id, messageId));
    return row && { kind: row.kind, address: await addressOf(database.db, row) };
  };

  it('records the sender’s identity for chat, SMS, Slack and email, new and known senders alike', async () => {
    const senders = [
      message('chat', 'visitor', 'visitor-1', 'visitor-1'),
      message('sms', 'phone', '+4915112345678', '+4915112345678|+4930123456'),
      message('slack', 'slack', 'U012AB3CD', 'C1/1700000000.000100'),
      message('email', 'email', 'ada@example.org', '<t1@example.org>'),
    ];
    for (const m of senders) {
      const first = await ingest(deps, m);
      const again = await ingest(deps, { ...m, externalId: `${m.externalId}-2` });
      for (const result of [first, again]) {
        expect(await authorOf(result.message.id)).toEqual({ kind: m.sender.kind, address: m.sender.address });
        expect(result.message.author).toMatchObject({ kind: m.sender.kind, address: m.sender.address });
      }
      // A replay answers with the stored message, its author included.
      expect((await ingest(deps, m)).message.author).toMatchObject({ address: m.sender.address });
    }
  });

  it('records each writer in a batch, and another writer in the same thread as themselves', async () => {
    const thread = 'C9/1700000000.000900';
    await ingest(deps, message('slack', 'slack', 'U0OWNER', thread));
    // Arriving together: one batched statement (ingest-batch.ts), two new senders and one known one.
    const results = await Promise.all([
      ingest(deps, message('slack', 'slack', 'U0REPLY1', thread)),
      ingest(deps, message('chat', 'visitor', 'visitor-batch', 'visitor-batch')),
      ingest(deps, message('sms', 'phone', '+4915112345678', '+4915112345678|+4930123456')),
    ]);
    expect(await Promise.all(results.map((r) => authorOf(r.message.id)))).toEqual([
      { kind: 'slack', address: 'U0REPLY1' },
      { kind: 'visitor', address: 'visitor-batch' },
      { kind: 'phone', address: '+4915112345678' },
    ]);
    // The conversation view shows each message with its own writer, not the conversation's contact.
    const views = await loadMessageViews(database.db, deps.dataKeys, results[0]!.conversation.id);
    expect(views.map((v) => v.author?.address)).toEqual(['U0OWNER', 'U0REPLY1']);
    expect(views[1]!.author).toMatchObject({ name: 'Writer U0REPLY1' });
  });
});
