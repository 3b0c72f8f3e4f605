import { randomUUID } from 'node:crypto';
import type { Db } from '../../server/db/client.ts';
import {
  botDecisions,
  consentEvents,
  contacts,
  conversations,
  inboxes,
  messages,
  satisfactionRatings,
} from '../../drizzle/schema/index.ts';
import type { ChannelKind, ConversationStatus } from '../../drizzle/schema/enums.ts';

/** Rows for the analytics tests, written straight to the tables with the timestamps a test needs. */
export type SeedMessage = {
  author: 'contact' | 'agent' | 'bot' | 'system';
  kind?: 'message' | 'note' | 'event';
  at: Date;
};
export type SeedConversation = {
  channel: ChannelKind;
  status: ConversationStatus;
  createdAt: Date;
  resolvedAt?: Date | null;
  messages: SeedMessage[];
  decisions?: Array<{ action: 'answer' | 'handoff' | 'silent'; reason: string; at: Date }>;
  rating?: { score: number; at: Date } | null;
};
export type SeedContact = { consent: Array<{ granted: boolean; at: Date }>; conversations: SeedConversation[] };

export async function channelInboxes(db: Db): Promise<Record<ChannelKind, string>> {
  const rows = await db
    .insert(inboxes)
    .values(
      (['chat', 'email', 'sms', 'voice', 'slack'] as const).map((channel) => ({
        name: `Analytics ${channel} ${randomUUID().slice(0, 6)}`,
        channel,
      })),
    )
    .returning();
  return Object.fromEntries(rows.map((r) => [r.channel, r.id])) as Record<ChannelKind, string>;
}

const directionOf = (m: SeedMessage) =>
  m.kind === 'note' || m.kind === 'event' ? 'internal' : m.author === 'contact' ? 'inbound' : 'outbound';

/** Inserts the contacts with everything about them; returns their ids in order. */
export async function seedContacts(
  db: Db,
  inboxIds: Record<ChannelKind, string>,
  people: SeedContact[],
): Promise<string[]> {
  if (people.length === 0) return [];
  const ids = people.map(() => randomUUID());
  await db.insert(contacts).values(ids.map((id, i) => ({ id, name: `Seeded ${i}` })));
  const events = people.flatMap((p, i) =>
    p.consent.map((c) => ({
      contactId: ids[i]!,
      purpose: 'analytics' as const,
      granted: c.granted,
      policyVersion: 'test',
      textHash: 'test',
      sourceChannel: 'chat' as const,
      occurredAt: c.at,
    })),
  );
  if (events.length) await db.insert(consentEvents).values(events);
  const convRows: Array<typeof conversations.$inferInsert> = [];
  const msgRows: Array<typeof messages.$inferInsert> = [];
  const decisionRows: Array<typeof botDecisions.$inferInsert> = [];
  const ratingRows: Array<typeof satisfactionRatings.$inferInsert> = [];
  people.forEach((p, i) =>
    p.conversations.forEach((c) => {
      const id = randomUUID();
      convRows.push({
        id,
        inboxId: inboxIds[c.channel],
        contactId: ids[i]!,
        channel: c.channel,
        status: c.status,
        threadKey: id,
        createdAt: c.createdAt,
        updatedAt: c.createdAt,
        // As ingest and replies keep it: the time of the latest customer-visible message.
        lastMessageAt: new Date(
          Math.max(
            c.createdAt.getTime(),
            ...c.messages.filter((m) => (m.kind ?? 'message') === 'message').map((m) => m.at.getTime()),
          ),
        ),
        resolvedAt: c.resolvedAt ?? null,
      });
      for (const m of c.messages) {
        msgRows.push({
          conversationId: id,
          channel: c.channel,
          direction: directionOf(m),
          kind: m.kind ?? 'message',
          authorKind: m.author,
          body: 'seeded',
          deliveryState: directionOf(m) === 'inbound' ? 'received' : directionOf(m) === 'internal' ? 'stored' : 'sent',
          occurredAt: m.at,
          createdAt: m.at,
        });
      }
      for (const d of c.decisions ?? [])
        decisionRows.push({ conversationId: id, action: d.action, reason: d.reason, createdAt: d.at });
      if (c.rating) ratingRows.push({ conversationId: id, score: c.rating.score, ratedAt: c.rating.at });
    }),
  );
  for (const [table, rows] of [
    [conversations, convRows],
    [messages, msgRows],
    [botDecisions, decisionRows],
    [satisfactionRatings, ratingRows],
  ] as const) {
    for (let i = 0; i < rows.length; i += 1000) await db.insert(table).values(rows.slice(i, i + 1000) as never);
  }
  return ids;
}

/** Appends one analytics consent event (the ledger is append-only; this is how a withdrawal looks). */
export async function recordAnalyticsConsent(db: Db, contactId: string, granted: boolean, at = new Date()) {
  await db.insert(consentEvents).values({
    contactId,
    purpose: 'analytics',
    granted,
    policyVersion: 'test',
    textHash: 'test',
    sourceChannel: 'chat',
    occurredAt: at,
  });
}
