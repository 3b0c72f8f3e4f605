import { openNames } from './contact-fields.ts';
import { openMessageText, subjectView, type TextKeys } from './message-text.ts';
import { openAddress } from './identity-address.ts';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { rowReader } from '../db/rows.ts';
import { ingestBatched } from './ingest-batch.ts';
import type { StoreKeys } from './message-store.ts';
import { RETURNED_MESSAGE_OMITS, ingestStatement, statementValues, type IngestRow } from './ingest-statements.ts';
import { planParticipants, recordParticipants } from './ingest-participants.ts';
import { planSenders, settlePlans } from './identity-lookup.ts';
import { planIngestTexts, rememberThreadOwner } from './ingest-text.ts';
import { SerialByKey } from './serial-by-key.ts';
import { attachments, contactIdentities, contacts, conversations, messages } from '../../drizzle/schema/index.ts';
import type { InboundAttachment, InboundMessage } from '../../channels/types.ts';
import type { AttachmentView, ConversationView, MessageAuthorView, MessageView } from '../http/views.ts';
import type { BlobStore } from '../blobs/store.ts';
import type { DomainEventBus } from './events.ts';
import type { InboxNameCache } from './inbox-names.ts';
import { notFound } from './errors.ts';
import { loadConversationView, toMessageView } from './views.ts';
import { storableInbound } from './storable-text.ts';
import { storedThreadKey } from './thread-keys.ts';
import { applyPiiPolicy } from '../privacy/pii/apply.ts';

export type IngestResult = {
  created: boolean;
  message: MessageView;
  conversation: ConversationView;
  contactId: string;
};

export type IngestDeps = {
  db: Db;
  events: DomainEventBus;
  inboxNames: InboxNameCache;
  /** The status a new chat conversation starts in: 'bot' while the bot is enabled. */
  chatOpenStatus?: () => 'bot' | 'open';
  /** Where inbound attachments go; required only for messages that carry some. */
  blobs?: BlobStore;
  /** Seals the text stored (the conversation's contact's key), and opens a replay's stored message. */
  dataKeys: TextKeys & StoreKeys;
};

const UNIQUE_VIOLATION = '23505';
const isUniqueViolation = (err: unknown) =>
  typeof err === 'object' &&
  err !== null &&
  ((err as { code?: string }).code === UNIQUE_VIOLATION ||
    (err as { cause?: { code?: string } }).cause?.code === UNIQUE_VIOLATION);

/**
 * The single entry of every inbound message, whatever the channel: identity -> contact,
 * conversation found or opened, message stored, all in one transaction (one statement, shared
 * with the other messages arriving at the same time: ingest-batch.ts, ingest-statements.ts). A replay of
 * the same (channel, externalId) changes nothing and returns the stored message. Events go out after commit.
 */
export async function ingest(deps: IngestDeps, inbound: InboundMessage): Promise<IngestResult> {
  // A NUL or a broken surrogate from any channel would fail the insert (and a provider would retry it forever):
  // cleaned here, once for every channel, and marked so the agent knows the text was changed.
  const cleaned = storableInbound(inbound);
  const inboxName = await deps.inboxNames.get(cleaned.inboxId);
  if (inboxName === undefined) throw notFound('Inbox');
  // Card numbers, passwords, … as the inbox's policy says: removed before anything is written, or flagged.
  const screened = applyPiiPolicy(cleaned, (await deps.inboxNames.piiPolicy(cleaned.inboxId))!);
  // A phone conversation's thread key is the pair of numbers: stored as a token (thread-keys.ts).
  const msg = { ...screened, threadKey: storedThreadKey(deps.db, screened.channel, screened.threadKey) };
  // Two first messages of a new sender can race on the identity's unique key, two deliveries of one
  // message on its external id: the loser retries and then finds the winner's contact (or message).
  // New To/Cc addresses get their data keys before the message is stored (see planParticipants).
  let participantPlans = msg.participants ? await planParticipants(deps.db, msg) : null;
  for (let attempt = 0; ; attempt++) {
    try {
      const openStatus = msg.channel === 'chat' ? (deps.chatOpenStatus?.() ?? 'open') : 'open';
      const result = await threads.run(`${msg.inboxId}\n${msg.threadKey}`, () =>
        ingestOnce(deps.db, deps.dataKeys, msg, inboxName, openStatus),
      );
      // Only messages with files or participants pay for these; the chat hot path never enters them.
      if (msg.attachments?.length) await linkAttachments(deps, result, msg.attachments);
      if (msg.participants) {
        // Handed over once: recordParticipants settles them (a later attempt plans anew).
        const plans = participantPlans;
        participantPlans = null;
        await recordParticipants(deps.db, result.conversation.id, msg, plans, result.created);
        // The statement's view names the sender's contact, which is not the conversation's when another
        // participant wrote (a Cc'd colleague): the event shows the conversation as it is.
        if (result.created)
          result.conversation = (await loadConversationView(deps.db, deps.dataKeys, result.conversation.id, null))!;
      }
      if (result.created) {
        deps.events.publish('message.created', {
          message: result.message,
          conversation: result.conversation,
          route: { threadKey: msg.threadKey },
          clientId: typeof msg.metadata?.clientId === 'string' ? msg.metadata.clientId : null,
        });
      }
      return result;
    } catch (err) {
      if (attempt < 3 && isUniqueViolation(err)) continue;
      // Keys planned for participants that were never recorded name no row: destroyed.
      if (participantPlans) await settlePlans(deps.db, msg.participants!, participantPlans, new Set());
      throw err;
    }
  }
}

const readMessage = rowReader(messages, '', RETURNED_MESSAGE_OMITS);
const threads = new SerialByKey();

/**
 * Stores the files of a just-ingested message and links them to its row. The message commits first
 * (one statement, the hot path); a crash before the files are linked leaves a message without them,
 * and the channel's re-delivery (IMAP re-reads an uncommitted checkpoint) arrives here as a replay
 * with no files linked yet: they are linked then. A replay whose files are already linked stores nothing.
 */
async function linkAttachments(deps: IngestDeps, result: IngestResult, files: InboundAttachment[]): Promise<void> {
  if (!deps.blobs) throw new Error('ingest of a message with attachments needs a blob store');
  const existing = result.created
    ? []
    : await deps.db
        .select({
          id: attachments.id,
          filename: attachments.filename,
          contentType: attachments.contentType,
          size: attachments.size,
        })
        .from(attachments)
        .where(eq(attachments.messageId, result.message.id))
        .orderBy(attachments.createdAt, attachments.id);
  if (existing.length > 0) {
    result.message.attachments = existing;
    return;
  }
  const stored: Array<typeof attachments.$inferInsert> = [];
  for (const file of files) {
    const blob = await deps.blobs.put(file.content, { messageId: result.message.id });
    stored.push({
      messageId: result.message.id,
      blobId: blob.id,
      filename: file.filename,
      contentType: file.contentType,
      size: blob.size,
    });
  }
  try {
    const rows = await deps.db.insert(attachments).values(stored).returning();
    result.message.attachments = rows.map((r): AttachmentView => ({
      id: r.id,
      filename: r.filename,
      contentType: r.contentType,
      size: r.size,
    }));
  } catch (err) {
    // No row points at these blobs: remove them rather than leave files erasure could never find.
    await Promise.all(stored.map((s) => deps.blobs!.delete(s.blobId).catch(() => false)));
    throw err;
  }
}

/**
 * One attempt: the message's batch (ingest-batch.ts), or ingestStatement alone when its batch left it
 * out (a replay, which ingestStatement recognises). Builds the result, and the event payload, from the row.
 */
async function ingestOnce(
  db: Db,
  keys: TextKeys & StoreKeys,
  msg: InboundMessage,
  inboxName: string,
  openStatus: 'bot' | 'open',
): Promise<IngestResult> {
  const row = (await ingestBatched(db, keys, msg, openStatus)) ?? (await ingestAlone(db, keys, msg, openStatus));
  if (!row || row.id === null) return loadReplayed(db, keys, msg);
  // The row holds the sealed text: the view and the event carry what was written.
  const message = { ...readMessage(row), body: msg.text, html: msg.html ?? null };
  // The sender's identity and contact: the statement looked them up (or created them) for this message.
  const author = { contactId: row.x_contact_id!, kind: msg.sender.kind, address: msg.sender.address };
  // The name the channel gave with this message: the stored one is sealed (contact-fields.ts), and opening it here
  // would cost a decryption per message on the ingest path.
  const contactName = msg.sender.name ?? null;
  return {
    created: true,
    contactId: row.x_contact_id!,
    message: toMessageView(message, null, { ...author, name: contactName }),
    conversation: {
      id: row.x_conversation_id!,
      inboxId: msg.inboxId,
      inboxName,
      channel: row.x_channel!,
      status: row.x_status!,
      // A conversation this message opened has the subject the message came with (stored sealed): shown as it came.
      // An existing one's stored subject is opened, which costs a decryption only where there is one (mail threads).
      ...(row.x_new_conversation
        ? { subject: msg.subject ?? null }
        : await subjectView(keys, row.x_conversation_id!, row.x_subject)),
      contact: { id: row.x_contact_id!, name: contactName },
      assignee: row.x_assignee_id && row.x_assignee_name ? { id: row.x_assignee_id, name: row.x_assignee_name } : null,
      team: row.x_team_id && row.x_team_name ? { id: row.x_team_id, name: row.x_team_name } : null,
      lastMessageAt: message.createdAt.toISOString(),
      lastMessagePreview: message.body.slice(0, 140),
      unreadCount: 0,
      createdAt: new Date(row.x_created_at!).toISOString(),
    },
  };
}

/** A message left out for its key's owner this many times in a row (another writer each time) is an error. */
const OWNER_ATTEMPTS = 3;

/**
 * ingestStatement for a message its batch left out, its sender and its text's owner looked up again (not taken from
 * what this process saw). Between that look-up and the statement another server may store the same new sender or
 * move the thread: the statement then stores nothing (the owner differs) and the message is planned again.
 */
async function ingestAlone(db: Db, keys: StoreKeys, msg: InboundMessage, openStatus: 'bot' | 'open') {
  for (let attempt = 1; ; attempt++) {
    const plans = await planSenders(db, [msg.sender], { lookUp: true });
    let row: IngestRow | undefined;
    try {
      // Sealed again: the sender's plan (and with it the key's owner) may differ from the batch's.
      const texts = await planIngestTexts(db, keys, [msg], plans, { lookUp: true });
      [row] = await ingestStatement(db, statementValues(msg, openStatus, plans[0]!, texts.plans[0]!, texts.tokens));
      await settlePlans(db, [msg.sender], plans, new Set(row?.id ? [row.x_contact_id!] : []));
    } catch (err) {
      await settlePlans(db, [msg.sender], plans, new Set());
      throw err;
    }
    if (row?.id && row.x_key_owner) rememberThreadOwner(db, msg, row.x_key_owner);
    const leftOut = row !== undefined && row.id === null && row.x_stored === false;
    if (!leftOut) return row;
    if (attempt >= OWNER_ATTEMPTS)
      throw new Error("the conversation's contact kept changing while the message was stored");
  }
}

async function loadReplayed(db: Db, keys: TextKeys, msg: InboundMessage): Promise<IngestResult> {
  const [row] = await db
    .select({
      message: messages,
      contactId: conversations.contactId,
      author: {
        id: contactIdentities.id,
        contactId: contactIdentities.contactId,
        kind: contactIdentities.kind,
        sealedAddress: contactIdentities.sealedAddress,
      },
      authorSealedName: contacts.sealedName,
    })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .leftJoin(contactIdentities, eq(contactIdentities.id, messages.authorIdentityId))
    .leftJoin(contacts, eq(contacts.id, contactIdentities.contactId))
    .where(and(eq(messages.channel, msg.channel), eq(messages.externalId, msg.externalId)));
  if (!row) throw new Error('Replay detected but the stored message is gone');
  // A provider's retry may come after an agent moved the conversation to the trash: still a no-op, answered as one.
  const conversation = await loadConversationView(db, keys, row.message.conversationId, null, { includeTrashed: true });
  // A replay only (not the ingest path): the author's address and name are opened for the answer's view.
  const author = row.author?.contactId
    ? {
        contactId: row.author.contactId,
        kind: row.author.kind!,
        address: await openAddress(db, { id: row.author.id!, sealedAddress: row.author.sealedAddress! }),
        name: (await openNames(keys, [{ id: row.author.contactId, sealedName: row.authorSealedName }]))[0]!,
      }
    : null;
  return {
    created: false,
    contactId: row.contactId,
    message: toMessageView(await openMessageText(keys, row.message), null, author as MessageAuthorView | null),
    conversation: conversation!,
  };
}
