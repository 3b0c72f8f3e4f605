import { eq, sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../../server/channel-port.ts';
import { agents, conversations, messages, twilioPendingStatuses } from '../../drizzle/schema/index.ts';
import { loadConversationView, openMessageText, toMessageView, type ChannelPort } from '../../server/channel-port.ts';

type Tracked = 'sent' | 'delivered' | 'failed';

/** Twilio's MessageStatus values -> our delivery states; in-flight ones (queued, sending ...) change nothing. */
export function deliveryStateOf(status: string): Tracked | null {
  switch (status) {
    case 'sent':
      return 'sent';
    case 'delivered':
    case 'read':
      return 'delivered';
    case 'undelivered':
    case 'failed':
    case 'canceled':
      return 'failed';
    default:
      return null;
  }
}

// Callbacks can arrive out of order (delivered before sent): a state never moves backwards.
const rank = sql`(case delivery_state when 'pending' then 0 when 'sent' then 1 else 2 end)`;
const rankOf = (state: Tracked) => (state === 'sent' ? 1 : 2);

/**
 * Applies one status callback to the outbound message with that MessageSid. Returns the id of the
 * message that changed, if any. A callback for a sid not stored yet (it overtook the commit of the
 * send) is kept in twilio_pending_statuses and applied by applyPendingStatus once the sid is stored.
 */
export async function applyStatus(
  db: Db,
  messageSid: string,
  status: string,
  errorCode: string | undefined,
): Promise<string | null> {
  const state = deliveryStateOf(status);
  if (!state) return null;
  const error = state === 'failed' ? `Twilio reported ${status}${errorCode ? ` (error ${errorCode})` : ''}` : null;
  const updated = rowsOf<{ id: string }>(
    await db.execute(sql`
      update ${messages} set delivery_state = ${state}::delivery_state,
        delivery_error = coalesce(${error}::text, delivery_error)
      where channel in ('sms', 'voice') and direction = 'outbound' and external_id = ${messageSid}
        and ${rank} < ${rankOf(state)}
      returning id`),
  );
  if (updated[0]) return updated[0].id;
  const [known] = await db
    .select({ id: messages.id })
    .from(messages)
    .where(sql`channel in ('sms', 'voice') and external_id = ${messageSid}`);
  if (!known) {
    await db.execute(sql`
      insert into ${twilioPendingStatuses} (message_sid, status, error_code)
      values (${messageSid}, ${status}, ${errorCode ?? null})
      on conflict (message_sid) do update set status = excluded.status, error_code = excluded.error_code
      where (case ${twilioPendingStatuses.status} when 'sent' then 1 when 'delivered' then 2 when 'read' then 2
        when 'failed' then 2 when 'undelivered' then 2 when 'canceled' then 2 else 0 end) < ${rankOf(state)}`);
  }
  return null;
}

/** After a send committed its MessageSid: a status that arrived first is applied now. */
export async function applyPendingStatus(db: Db, messageId: string): Promise<string | null> {
  const [message] = await db
    .select({ externalId: messages.externalId })
    .from(messages)
    .where(eq(messages.id, messageId));
  if (!message?.externalId) return null;
  const [pending] = await db
    .delete(twilioPendingStatuses)
    .where(eq(twilioPendingStatuses.messageSid, message.externalId))
    .returning();
  if (!pending) return null;
  return applyStatus(db, pending.messageSid, pending.status, pending.errorCode ?? undefined);
}

/** Tells the agents' inboxes that a message's delivery state moved. */
export async function publishMessageUpdated(deps: PublishDeps, messageId: string) {
  await publishMessage(deps, messageId, 'message.updated');
}

/** A timeline marker we inserted (STOP/START): shown to agents at once. */
export async function publishMessageCreated(deps: PublishDeps, messageId: string) {
  await publishMessage(deps, messageId, 'message.created');
}

type PublishDeps = Pick<ChannelPort, 'db' | 'events' | 'dataKeys'>;

async function publishMessage(
  { db, events, dataKeys }: PublishDeps,
  messageId: string,
  name: 'message.created' | 'message.updated',
) {
  const [row] = await db
    .select({ message: messages, authorName: agents.name, threadKey: conversations.threadKey })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .leftJoin(agents, eq(agents.id, messages.authorAgentId))
    .where(eq(messages.id, messageId));
  if (!row) return;
  const conversation = await loadConversationView(db, dataKeys, row.message.conversationId, null);
  if (!conversation) return;
  const payload = {
    message: toMessageView(await openMessageText(dataKeys, row.message), row.authorName),
    conversation,
    route: { threadKey: row.threadKey },
  };
  if (name === 'message.created') events.publish(name, { ...payload, clientId: null });
  else events.publish(name, payload);
}
