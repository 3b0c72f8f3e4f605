import { randomUUID } from 'node:crypto';
import type { DataKeys } from '../security/data-keys.ts';
import { asc, count, eq, sql } from 'drizzle-orm';
import {
  agents,
  cannedReplies,
  contactIdentities,
  conversations,
  inboxes,
  instanceSettings,
  kbArticles,
  messages,
} from '../../drizzle/schema/index.ts';
import type { ChannelKind } from '../../drizzle/schema/enums.ts';
import { createAgent } from '../domain/agents.ts';
import { ingest, type IngestDeps } from '../domain/ingest.ts';
import type { Adapters } from '../../channels/registry.ts';
import type { OutboundMessage, SendResult } from '../../channels/types.ts';
import type { Config } from '../config.ts';
import { addNote, assign, reply, setStatus } from '../domain/conversations.ts';
import { recordConsent } from '../privacy/consent.ts';
import type { NoticeDeps } from '../privacy/notice.ts';
import { randomToken } from '../security/tokens.ts';
import { kbSeed } from './kb.ts';
import { seedHistory } from './history.ts';
import { demoCannedReplies } from './canned-replies.ts';
import { newIdentity } from '../domain/identity-address.ts';

/**
 * Demo data for a first look: an inbox per channel, fictional contacts with conversations across
 * channels, and a few knowledge-base articles. Runs once per database (the first server to claim
 * the marker seeds; others skip), only when SEED_DEMO is not false, and only into a database nobody has
 * used yet: no conversation and no agent but the bootstrap admin. Inboxes the configuration already made
 * (Slack's, the EMAIL_* one: channels start before the seed) are used instead of adding demo twins.
 */
export type DemoDeps = IngestDeps &
  NoticeDeps & { adapters: Adapters; config: Pick<Config, 'messageMaxChars'>; dataKeys: DataKeys };

/** Whether anyone has used this database: a conversation, or an agent besides the bootstrap admin. */
async function inUse(db: DemoDeps['db']): Promise<boolean> {
  const [conversation] = await db.select({ id: conversations.id }).from(conversations).limit(1);
  const [staff] = await db.select({ n: count() }).from(agents);
  return Boolean(conversation) || Number(staff?.n ?? 0) > 1;
}

/**
 * The adapters the demo's replies go through: marked sent, never handed to a provider, so the fictional
 * customers get no mail, text or Slack post even when the channels are configured for real.
 */
function demoAdapters(adapters: Adapters): Adapters {
  const send = async (message: OutboundMessage): Promise<SendResult> => ({
    externalId: `demo-${message.messageId}`,
    state: 'sent',
  });
  return Object.fromEntries(
    Object.entries(adapters).map(([kind, adapter]) => [kind, adapter ? { ...adapter, send } : null]),
  ) as Adapters;
}

export async function seedDemo(real: DemoDeps): Promise<void> {
  const deps = { ...real, adapters: demoAdapters(real.adapters) };
  const { db } = deps;
  const [claimed] = await db
    .insert(instanceSettings)
    .values({ key: 'demo_seeded', value: new Date().toISOString() })
    .onConflictDoNothing()
    .returning();
  if (!claimed || (await inUse(db))) return;

  const inbox = {} as Record<ChannelKind, string>;
  const definitions: Array<[ChannelKind, string, Record<string, unknown>]> = [
    ['chat', 'Website chat', { greeting: 'Hi there! Ask us anything about your order.' }],
    ['email', 'support@acme.example', { address: 'support@acme.example' }],
    ['sms', 'SMS +1 555 010 0000', { number: '+15550100000' }],
    ['voice', 'Phone +1 555 010 0000', { number: '+15550100000' }],
    ['slack', 'Slack #customer-help', { channel: 'C0DEMO' }],
  ];
  for (const [channel, name, settings] of definitions) {
    const [configured] = await db
      .select({ id: inboxes.id })
      .from(inboxes)
      .where(eq(inboxes.channel, channel))
      .orderBy(asc(inboxes.createdAt))
      .limit(1);
    const [row] = configured
      ? [configured]
      : await db.insert(inboxes).values({ name, channel, settings }).returning({ id: inboxes.id });
    inbox[channel] = row!.id;
  }

  // Demo colleagues get random passwords nobody knows: they exist to be assigned, not to sign in, and the Agents
  // page says so ("Demo, no sign-in"). An admin who wants them real sets a one-time password or a new password.
  const sam = await createAgent(
    db,
    { email: 'sam@acme.example', name: 'Sam Rivera', role: 'agent', password: randomToken(), demo: true },
    null,
  );
  await createAgent(
    db,
    { email: 'maya@acme.example', name: 'Maya Chen', role: 'manager', password: randomToken(), demo: true },
    null,
  );
  const samActor = { id: sam.id, name: sam.name };
  const conversationDeps = {
    db,
    events: deps.events,
    adapters: deps.adapters,
    messageMaxChars: deps.config.messageMaxChars,
    dataKeys: deps.dataKeys,
  };
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
  const inbound = (
    channel: ChannelKind,
    kind: 'email' | 'phone' | 'slack' | 'visitor',
    address: string,
    name: string,
    threadKey: string,
    text: string,
    subject?: string,
    at = new Date(),
  ) =>
    ingest(deps, {
      channel,
      inboxId: inbox[channel],
      sender: { kind, address, name },
      threadKey,
      externalId: `demo-${randomUUID()}`,
      text,
      subject,
      occurredAt: at,
    });

  // Elena writes by email, then by SMS from a number she is known by: one contact, two channels.
  const mail = await inbound(
    'email',
    'email',
    'elena.novak@example.com',
    'Elena Novak',
    '<demo-order-4821@example.com>',
    'Hello,\n\nmy order #4821 arrived today but the tent poles are bent. Can I get a replacement?\n\nThanks,\nElena',
    'Order #4821 arrived damaged',
    minutesAgo(180),
  );
  await db.insert(contactIdentities).values(await newIdentity(db, mail.contactId, 'phone', '+15550100123'));
  await addNote(
    conversationDeps,
    mail.conversation.id,
    samActor,
    'Checked with the warehouse: replacement poles are in stock.',
  );
  await reply(
    conversationDeps,
    mail.conversation.id,
    samActor,
    'Hi Elena, sorry about that! We are sending replacement poles today; you will get a tracking number by email.',
  );
  await assign(conversationDeps, mail.conversation.id, sam.id, samActor);
  await setStatus(conversationDeps, mail.conversation.id, 'pending', samActor);
  await inbound(
    'sms',
    'phone',
    '+15550100123',
    'Elena Novak',
    '+15550100123|+15550100000',
    'Hi, it is Elena again: did the poles ship yet?',
    undefined,
    minutesAgo(25),
  );

  // A website visitor who accepted the notice (support and analytics).
  const visitorId = randomUUID();
  const chat = await inbound(
    'chat',
    'visitor',
    visitorId,
    'Jonas Berg',
    visitorId,
    'Hi! Do you ship to Norway, and how long does it take?',
    undefined,
    minutesAgo(12),
  );
  await recordConsent(
    deps,
    (['support', 'analytics'] as const).map((purpose) => ({
      contactId: chat.contactId,
      purpose,
      granted: true,
      policyVersion: deps.notice.policyVersion,
      textHash: deps.notice.textHash,
      sourceChannel: 'chat',
      evidence: { event: 'widget.notice.accepted', inboxId: inbox.chat, visitorId },
      actor: { kind: 'visitor', id: chat.contactId },
    })),
  );

  await inbound(
    'voice',
    'phone',
    '+15550100188',
    'Priya Shah',
    'CAdemo0001',
    'Voicemail (0:42): calling about the return label for my boots, please call me back.',
    undefined,
    minutesAgo(95),
  );
  const slack = await inbound(
    'slack',
    'slack',
    'U0DEMO42',
    'Tom Weller',
    'C0DEMO:1700000000.000100',
    'Our team account shows the wrong billing address. Who can fix that?',
    undefined,
    minutesAgo(300),
  );
  await reply(
    conversationDeps,
    slack.conversation.id,
    samActor,
    'Hi Tom, I have corrected the billing address. Anything else?',
  );
  await setStatus(conversationDeps, slack.conversation.id, 'resolved', samActor);
  await inbound(
    'email',
    'email',
    'kwame.mensah@example.com',
    'Kwame Mensah',
    '<demo-returns-1@example.com>',
    'Can I return a backpack I bought 40 days ago? It is unused.',
    'Return after 30 days?',
    minutesAgo(50),
  );

  // The demo shop's own articles in five languages (server/demo/kb.ts): Bitext's replies stated invented
  // order numbers and prices, so they are no longer used.
  await db.insert(kbArticles).values(kbSeed);
  await db.insert(cannedReplies).values(demoCannedReplies);
  await backdate(deps);
  // After backdate, which would restamp them: the past month has its own times.
  await seedHistory(deps, inbox, samActor);
}

/**
 * Demo messages were all stored just now; spread them over the past hours as their occurred_at
 * says, so the inbox shows a believable timeline. Demo only: real traffic is stamped on receipt.
 */
async function backdate({ db }: Pick<DemoDeps, 'db'>) {
  await db.execute(sql`
    with ordered as (
      select id, conversation_id, occurred_at,
             row_number() over (partition by conversation_id order by created_at) as n
      from ${messages})
    update ${messages} m
    set created_at = (select min(o2.occurred_at) from ordered o2 where o2.conversation_id = o.conversation_id)
                     + (o.n - 1) * interval '4 minutes'
    from ordered o where o.id = m.id`);
  await db.execute(sql`
    update ${conversations} c set
      created_at = (select min(m.created_at) from ${messages} m where m.conversation_id = c.id),
      last_message_at = (select max(m.created_at) from ${messages} m
        where m.conversation_id = c.id and m.kind = 'message'),
      updated_at = (select max(m.created_at) from ${messages} m where m.conversation_id = c.id)`);
}
