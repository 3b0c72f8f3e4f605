import { sealMessageText } from '../domain/message-store.ts';
import { randomUUID } from 'node:crypto';
import type { DataKeys } from '../security/data-keys.ts';
import { sql } from 'drizzle-orm';
import type { Adapters } from '../../channels/registry.ts';
import type { Config } from '../config.ts';
import type { ChannelKind } from '../../drizzle/schema/enums.ts';
import { botDecisions, conversations, messages, satisfactionRatings } from '../../drizzle/schema/index.ts';
import { ingest, type IngestDeps } from '../domain/ingest.ts';
import { reply, setStatus, type Actor } from '../domain/conversations.ts';
import { recordConsent } from '../privacy/consent.ts';
import type { NoticeDeps } from '../privacy/notice.ts';
import { sealedDecision } from '../bot/decision-scores.ts';

const FIRST = [
  'Alex',
  'Sam',
  'Noor',
  'Lena',
  'Mateo',
  'Aiko',
  'Omar',
  'Sofia',
  'Ravi',
  'Emma',
  'Lukas',
  'Zara',
  'Jon',
  'Mia',
  'Ivan',
];
const LAST = ['Meyer', 'Okafor', 'Silva', 'Kowalski', 'Nakamura', 'Haddad', 'Larsen', 'Rossi', 'Dubois', 'Patel'];
const QUESTIONS = [
  'Where is my order? It has been a week.',
  'How do I reset my password?',
  'Can I change the delivery address of my order?',
  'I was charged twice for the same order.',
  'Do you ship to Portugal?',
  'How do I return a jacket that does not fit?',
  'My discount code does not work at checkout.',
  'When will the green backpack be back in stock?',
];
const ANSWERS = [
  'Thanks for waiting! Your parcel is with the courier and arrives tomorrow.',
  'I have sent you a reset link; it is valid for an hour.',
  'Done: the new address is on the order.',
  'Sorry about that, the second charge is refunded and shows within 3 days.',
];

/**
 * A month of past support for the demo, so the managers' dashboard shows figures on a first look:
 * fictional visitors, five in six of whom agreed to analysis, each with a chat that an agent (or, for some,
 * the bot alone) answered and resolved, many rated. Deterministic (a fixed sequence), stamped back in
 * time by `backdateHistory`.
 */
/** What the demo history writes through: ingest, the conversation operations and their limit. */
export type HistoryDeps = IngestDeps &
  NoticeDeps & { adapters: Adapters; config: Pick<Config, 'messageMaxChars'>; dataKeys: DataKeys };

export async function seedHistory(deps: HistoryDeps, inbox: Record<ChannelKind, string>, agent: Actor): Promise<void> {
  const conversationDeps = {
    db: deps.db,
    events: deps.events,
    adapters: deps.adapters,
    messageMaxChars: deps.config.messageMaxChars,
    dataKeys: deps.dataKeys,
  };
  const stamps: Array<{ conversationId: string; openedAt: Date; responseMinutes: number; resolveMinutes: number }> = [];
  const ratings: Array<typeof satisfactionRatings.$inferInsert> = [];
  const day = 24 * 60 * 60_000;
  // Today and every one of the DAYS - 1 days before it has PER_DAY chats, PER_DAY - 1 of them from customers
  // who agreed to analysis, so each day's figure clears the minimum cohort of 5 and the volume chart has a bar
  // every day (with only every third day seeded, it showed bars every third day). Today's are one moment, three
  // minutes ago, settled by the bot within a minute: whatever the viewer's time zone, they fall on one day, so
  // today's chat figure is never a small cohort (which would also withhold another day's: complementary
  // suppression), and nothing is stamped in the future.
  const DAYS = 29;
  const PER_DAY = 6;
  const HOURS = [10, 14, 10, 14, 10, 16];
  for (let i = 0; i < DAYS * PER_DAY; i++) {
    const visitorId = randomUUID();
    const name = `${FIRST[i % FIRST.length]} ${LAST[(i * 7) % LAST.length]}`;
    const today = i % DAYS === 0;
    const openedAt = new Date(Date.now() - (i % DAYS) * day);
    if (today) openedAt.setTime(Date.now() - 3 * 60_000);
    // At office hours, the customers who agreed at two hours of the day only: a weekday and hour of the busiest-
    // hours heatmap needs 5 people over the four weeks, or it is shown as "fewer than 5" (spread over nine hours,
    // every cell was).
    else openedAt.setUTCHours(HOURS[Math.floor(i / DAYS)]!, (i * 13) % 45, 0, 0);
    const write = (text: string, externalId: string) =>
      ingest(deps, {
        channel: 'chat',
        inboxId: inbox.chat,
        sender: { kind: 'visitor', address: visitorId, name },
        threadKey: visitorId,
        externalId,
        text,
        occurredAt: openedAt,
      });
    const first = await write(QUESTIONS[i % QUESTIONS.length]!, `demo-history-${visitorId}`);
    const purposes =
      Math.floor(i / DAYS) === PER_DAY - 1 ? (['support'] as const) : (['support', 'analytics'] as const);
    // Both purposes in one call, as the widget records an accepted notice: one transaction and one audit append
    // per visitor, not one per purpose (the same events and audit entries).
    await recordConsent(
      deps,
      purposes.map((purpose) => ({
        contactId: first.contactId,
        purpose,
        granted: true,
        policyVersion: deps.notice.policyVersion,
        textHash: deps.notice.textHash,
        sourceChannel: 'chat' as const,
        evidence: { event: 'widget.notice.accepted', inboxId: inbox.chat, visitorId },
        actor: { kind: 'visitor' as const, id: first.contactId },
      })),
    );
    // A third of the chats met the bot first: half of those it settled alone, in the other half the
    // customer asked for a person and an agent took over.
    const botFirst = today || i % 3 === 0;
    const botAlone = today || i % 6 === 3;
    if (botFirst) {
      const id = randomUUID();
      const body = ANSWERS[i % ANSWERS.length]!;
      await deps.db.insert(messages).values({
        id,
        ...(await sealMessageText(deps.dataKeys, { id, contactId: first.contactId, body })),
        conversationId: first.conversation.id,
        channel: 'chat',
        direction: 'outbound',
        kind: 'message',
        authorKind: 'bot',
        deliveryState: 'sent',
      });
      await deps.db.insert(botDecisions).values(
        await sealedDecision(deps.dataKeys, first.contactId, {
          conversationId: first.conversation.id,
          messageId: first.message.id,
          action: 'answer',
          reason: 'confident',
          confidence: 0.82 + (i % 5) / 50,
        }),
      );
      if (!botAlone) {
        const again = await write(
          'Thanks, but I would like to talk to a person, please.',
          `demo-history-${visitorId}-2`,
        );
        await deps.db.insert(botDecisions).values(
          await sealedDecision(deps.dataKeys, first.contactId, {
            conversationId: first.conversation.id,
            messageId: again.message.id,
            action: 'handoff',
            reason: 'human_requested',
          }),
        );
      }
    }
    if (!botAlone) await reply(conversationDeps, first.conversation.id, agent, ANSWERS[i % ANSWERS.length]!);
    await setStatus(conversationDeps, first.conversation.id, 'resolved', agent);
    // Only 4s and 5s, each from enough customers: a score given by fewer than k people would be suppressed,
    // and then the average with it (analytics/metrics/satisfaction.ts), leaving the demo without one.
    if (i % 3 !== 2 && !today) ratings.push({ conversationId: first.conversation.id, score: 4 + (i % 3) });
    stamps.push({
      conversationId: first.conversation.id,
      openedAt,
      responseMinutes: today ? -1 : 2 + ((i * 7) % 25),
      resolveMinutes: today ? 1 : 10 + ((i * 17) % 110),
    });
  }
  // The ratings in one statement (backdateHistory stamps them): nothing reads them while the loop runs.
  await deps.db.insert(satisfactionRatings).values(ratings);
  await backdateHistory(deps, stamps);
}

/**
 * Moves each past conversation, its messages, consent, resolution and rating to when it happened: one statement
 * per table for all of them (the stamps as arrays), not five per conversation, so the demo seeds in seconds.
 */
async function backdateHistory(
  { db }: Pick<HistoryDeps, 'db'>,
  stamps: Array<{ conversationId: string; openedAt: Date; responseMinutes: number; resolveMinutes: number }>,
) {
  const ids = `{${stamps.map((s) => s.conversationId).join(',')}}`;
  const opened = `{${stamps.map((s) => s.openedAt.toISOString()).join(',')}}`;
  const response = `{${stamps.map((s) => s.responseMinutes).join(',')}}`;
  const resolve = `{${stamps.map((s) => s.resolveMinutes).join(',')}}`;
  const stamped = sql`(select * from unnest(${ids}::uuid[], ${opened}::timestamptz[], ${response}::int[],
    ${resolve}::int[]) as t(conversation_id, opened, response_minutes, resolve_minutes))`;
  await db.execute(sql`
    with ordered as (
      select m.id, s.opened, s.response_minutes,
        row_number() over (partition by m.conversation_id order by m.created_at, m.id) as n
      from ${messages} m join ${stamped} s on s.conversation_id = m.conversation_id)
    update ${messages} m set
      created_at = o.opened
        + case when o.n = 1 then interval '0' else (o.response_minutes + o.n) * interval '1 minute' end,
      occurred_at = o.opened
        + case when o.n = 1 then interval '0' else (o.response_minutes + o.n) * interval '1 minute' end
    from ordered o where o.id = m.id`);
  await db.execute(sql`
    update ${conversations} c set created_at = s.opened,
      resolved_at = s.opened + s.resolve_minutes * interval '1 minute',
      updated_at = s.opened + s.resolve_minutes * interval '1 minute',
      last_message_at = (select max(m.created_at) from ${messages} m
        where m.conversation_id = c.id and m.kind = 'message')
    from ${stamped} s where s.conversation_id = c.id`);
  await db.execute(sql`
    update ${botDecisions} d set created_at = m.created_at + interval '2 seconds'
    from ${messages} m, ${stamped} s where m.id = d.message_id and d.conversation_id = s.conversation_id`);
  await db.execute(sql`
    update ${satisfactionRatings} r
    set rated_at = s.opened + (s.resolve_minutes + 3) * interval '1 minute'
    from ${stamped} s where s.conversation_id = r.conversation_id`);
  await db.execute(sql`
    update consent_events e set occurred_at = s.opened - interval '1 minute'
    from ${conversations} c, ${stamped} s where c.id = s.conversation_id and e.contact_id = c.contact_id`);
}
