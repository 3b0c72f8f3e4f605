import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { chatVisitorStates, conversationReads, conversations, inboxes, messages } from '../../drizzle/schema/index.ts';
import { getBusinessHours, openState } from './business-hours.ts';

/**
 * Presence in a chat beyond the messages: whether a person has joined, the usual wait, what each side has read,
 * and whether the visitor is still there. Typing is never stored: it only passes through server/realtime.
 */

/**
 * Minutes one agent usually needs per waiting conversation before the next one: the queue ahead of a visitor,
 * shared among the agents online, times this. A small team's honest order of magnitude, not a promise.
 */
export const MINUTES_PER_WAITING_CONVERSATION = 4;
const MIN_WAIT_MINUTES = 2;
const MAX_WAIT_MINUTES = 120;

/** The usual wait for a person from the queue ahead and the agents online (at least one counted: someone will). */
export function usualWaitMinutes(waitingAhead: number, agentsOnline: number): number {
  const rounds = Math.ceil((waitingAhead + 1) / Math.max(1, agentsOnline));
  return Math.min(MAX_WAIT_MINUTES, Math.max(MIN_WAIT_MINUTES, rounds * MINUTES_PER_WAITING_CONVERSATION));
}

/** Open conversations of the inbox nobody has taken yet: no assignee and no agent's reply. */
export async function waitingCount(db: Db, inboxId: string, except: string | null = null): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(conversations)
    .where(
      and(
        eq(conversations.inboxId, inboxId),
        eq(conversations.status, 'open'),
        sql`${conversations.assigneeId} is null`,
        except ? sql`${conversations.id} <> ${except}` : undefined,
        // Written out: in a one-table select drizzle leaves columns unqualified, and "id" would be the message's.
        sql`not exists (select 1 from messages m where m.conversation_id = conversations.id
          and m.author_kind = 'agent' and m.kind = 'message')`,
      ),
    );
  return row?.n ?? 0;
}

/** A person has joined once the conversation is assigned or an agent has written to the customer. */
export async function personJoined(db: Db, conversationId: string): Promise<boolean> {
  const [row] = await db
    .select({
      joined: sql<boolean>`(conversations.assignee_id is not null or exists (select 1 from messages m
        where m.conversation_id = conversations.id and m.author_kind = 'agent' and m.kind = 'message'))`,
    })
    .from(conversations)
    .where(eq(conversations.id, conversationId));
  return row?.joined ?? false;
}

export type Availability = {
  /** Within business hours (always true for an inbox without hours). */
  open: boolean;
  timeZone: string | null;
  /** While closed: when the team is back (ISO), null when no window comes in the next weeks. */
  backAt: string | null;
  /** While open: the usual wait for a person, from the queue and the agents online. */
  usualWaitMinutes: number | null;
  /** Whether replies can go on by email: an email inbox with SMTP is configured. */
  emailFollowup: boolean;
};

export async function availability(
  db: Db,
  inboxId: string,
  input: { agentsOnline: number; conversationId: string | null; now?: Date },
): Promise<Availability> {
  const hours = await getBusinessHours(db, inboxId);
  const state = openState(hours, input.now ?? new Date());
  const waiting = state.open ? await waitingCount(db, inboxId, input.conversationId) : 0;
  return {
    open: state.open,
    timeZone: hours?.timeZone ?? null,
    backAt: state.nextOpenAt?.toISOString() ?? null,
    usualWaitMinutes: state.open ? usualWaitMinutes(waiting, input.agentsOnline) : null,
    emailFollowup: (await followupInbox(db)) !== null,
  };
}

/** The email inbox whose SMTP carries chat replies to visitors who left: the first one with an address. */
export async function followupInbox(db: Db): Promise<{ id: string; name: string } | null> {
  const [row] = await db
    .select({ id: inboxes.id, name: inboxes.name })
    .from(inboxes)
    .where(and(eq(inboxes.channel, 'email'), sql`${inboxes.settings} ->> 'address' is not null`))
    .orderBy(inboxes.createdAt)
    .limit(1);
  return row ?? null;
}

/** How many messages agents wrote to the customer in the conversation. */
export async function agentMessageCount(db: Db, conversationId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(messages)
    .where(
      and(eq(messages.conversationId, conversationId), eq(messages.authorKind, 'agent'), eq(messages.kind, 'message')),
    );
  return row?.n ?? 0;
}

/** When an agent last read the conversation (any agent), for the visitor's "Seen". */
export async function agentReadAt(db: Db, conversationId: string): Promise<Date | null> {
  const [row] = await db
    .select({ at: conversationReads.lastReadAt })
    .from(conversationReads)
    .where(eq(conversationReads.conversationId, conversationId))
    .orderBy(desc(conversationReads.lastReadAt))
    .limit(1);
  return row?.at ?? null;
}

export async function visitorState(db: Db, conversationId: string) {
  const [row] = await db.select().from(chatVisitorStates).where(eq(chatVisitorStates.conversationId, conversationId));
  return row ?? null;
}

/** The visitor read everything up to now; returns the time recorded. */
export async function markVisitorRead(db: Db, conversationId: string, at = new Date()): Promise<Date> {
  await db
    .insert(chatVisitorStates)
    .values({ conversationId, visitorReadAt: at, updatedAt: at })
    .onConflictDoUpdate({
      target: chatVisitorStates.conversationId,
      set: {
        visitorReadAt: sql`greatest(${chatVisitorStates.visitorReadAt}, ${at.toISOString()}::timestamptz)`,
        updatedAt: at,
      },
    });
  return at;
}

/** The visitor's widget came back (left: null) or its last socket closed (left: that time). */
export async function markVisitorPresence(db: Db, conversationId: string, leftAt: Date | null): Promise<void> {
  const now = new Date();
  await db
    .insert(chatVisitorStates)
    .values({ conversationId, visitorLeftAt: leftAt, updatedAt: now })
    .onConflictDoUpdate({ target: chatVisitorStates.conversationId, set: { visitorLeftAt: leftAt, updatedAt: now } });
}
