import { and, eq, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { inboxes, messages } from '../../drizzle/schema/index.ts';
import { ingest, type IngestDeps } from '../../server/channel-port.ts';
import { loadConversationView, openMessageText, toMessageView } from '../../server/channel-port.ts';
import type { ChannelAdapter } from '../types.ts';
import { imapRequestUrl, type EmailPayload } from './adapter.ts';
import { ownMessageUuid } from './message-ids.ts';
import { emailMarker, formatBytes, parseEmail, type ParsedEmail } from './parse.ts';
import type { EmailSettings } from './settings.ts';
import { resolveThread } from './threading.ts';

export type InboundMailDeps = IngestDeps & {
  adapter: ChannelAdapter<EmailPayload>;
  log: FastifyBaseLogger;
  maxTextChars: number;
};

export type InboundOutcome = 'ingested' | 'replay' | 'loop';

const OWN_ID_IN_TEXT = /<pi\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[0-9a-z]+@[^>\s]+>/i;

/**
 * Our own mail coming back: a copy of a reply we sent (a Sent folder filed into the inbox, a Bcc to
 * ourselves), mail from our own address, or mail that already went through us (X-Loop). Ingesting it
 * would open a conversation with ourselves, and answering that would loop.
 */
export function isLoop(email: ParsedEmail, settings: EmailSettings): boolean {
  const address = settings.address.toLowerCase();
  return (
    ownMessageUuid(email.messageId) !== null ||
    email.from.address === address ||
    email.xLoop.some((v) => v.includes(address))
  );
}

type MailContext = { mailbox: string; uid: number; size: number; truncated: boolean };

/** A mail parsed and checked, not yet threaded or stored: pure work, so it can run while the previous mail commits. */
export type PreparedMail = { email: ParsedEmail; raw: Buffer; context: MailContext; loop: boolean };

export async function prepareMail(
  deps: InboundMailDeps,
  settings: EmailSettings,
  raw: Buffer,
  context: MailContext,
): Promise<PreparedMail> {
  deps.adapter.verify({
    url: imapRequestUrl(settings.imap.host, context.mailbox, context.uid),
    headers: {},
    rawBody: '',
    body: null,
  });
  const email = await parseEmail(raw, {
    maxAttachmentBytes: settings.maxAttachmentBytes,
    maxTextChars: deps.maxTextChars,
  });
  if (context.truncated) {
    email.markers.push(
      emailMarker(
        'attachment_too_large',
        'mail_over_limit',
        `the mail (${formatBytes(context.size)}) is over the ${formatBytes(raw.length)} limit: ` +
          'only its beginning was read',
        { size: context.size, limit: raw.length },
      ),
    );
  }
  return { email, raw, context, loop: isLoop(email, settings) };
}

/**
 * Threads and ingests a prepared mail (with its files). Resolves after commit; mails of one mailbox commit in
 * UID order.
 */
export async function commitMail(
  deps: InboundMailDeps,
  inboxId: string,
  settings: EmailSettings,
  prepared: PreparedMail,
): Promise<InboundOutcome> {
  const { email, raw, context } = prepared;
  if (prepared.loop) {
    deps.log.info({ inboxId, uid: context.uid }, 'email loop: our own mail came back, not ingested');
    return 'loop';
  }
  // A bounce of one of our replies quotes its Message-ID: it joins that conversation and marks the reply failed.
  const bounced = email.automated === 'bounce' ? OWN_ID_IN_TEXT.exec(raw.toString('latin1'))?.[0] : undefined;
  if (bounced && !email.references.includes(bounced)) email.references.push(bounced);
  const thread = await resolveThread(deps.db, deps.dataKeys, inboxId, email, settings.subjectThreadDays);
  if (thread.via === 'not_a_participant' && !email.markers.some((m) => m.kind === 'not_a_participant')) {
    email.markers.push(
      emailMarker(
        'not_a_participant',
        'foreign_thread',
        'its headers name another conversation, which its sender took no part in, so it opened a conversation ' +
          'of its own; replies go only to its sender',
      ),
    );
  }
  const [message] = deps.adapter.parse(
    {
      email,
      threadKey: thread.threadKey,
      mailbox: context.mailbox,
      uid: context.uid,
      ownAddresses: await ownAddresses(deps, settings),
    },
    // An answer to a chat reply we emailed goes into that chat conversation (threading.ts 'chat_followup').
    { inboxId: thread.via === 'chat_followup' ? thread.inboxId : inboxId },
  );
  const result = await ingest(deps, message!);
  if (bounced && result.created) await markBounced(deps, bounced, raw);
  return result.created ? 'ingested' : 'replay';
}

/** Every email inbox's own address (ours are never participants, nor contacts), lower-case. */
async function ownAddresses(deps: InboundMailDeps, settings: EmailSettings): Promise<string[]> {
  const rows = await deps.db
    .select({ address: sql<string | null>`lower(${inboxes.settings} ->> 'address')` })
    .from(inboxes)
    .where(eq(inboxes.channel, 'email'));
  return [...new Set([settings.address.toLowerCase(), ...rows.flatMap((r) => (r.address ? [r.address] : []))])];
}

/** One raw mail from the mailbox -> parsed, threaded, ingested (with its files). Resolves after commit. */
export async function ingestMail(
  deps: InboundMailDeps,
  inboxId: string,
  settings: EmailSettings,
  raw: Buffer,
  context: MailContext,
): Promise<InboundOutcome> {
  return commitMail(deps, inboxId, settings, await prepareMail(deps, settings, raw, context));
}

/** The DSN's status code (RFC 3464), never its diagnostic text, which names the recipient. */
async function markBounced(deps: InboundMailDeps, ownId: string, raw: Buffer): Promise<void> {
  const messageId = ownMessageUuid(ownId);
  if (!messageId) return;
  const status = /^Status:\s*([245]\.\d{1,3}\.\d{1,3})/im.exec(raw.toString('latin1'))?.[1];
  const [updated] = await deps.db
    .update(messages)
    .set({
      deliveryState: 'failed',
      deliveryError: `bounced by the recipient's mail server${status ? ` (status ${status})` : ''}`,
      nextAttemptAt: null,
    })
    .where(and(eq(messages.id, messageId), eq(messages.direction, 'outbound')))
    .returning();
  if (!updated) return;
  const conversation = await loadConversationView(deps.db, deps.dataKeys, updated.conversationId, null);
  if (conversation)
    deps.events.publish('message.updated', {
      message: toMessageView(await openMessageText(deps.dataKeys, updated), null),
      conversation,
      route: { threadKey: '' },
    });
}
