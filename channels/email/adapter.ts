import { and, desc, eq } from 'drizzle-orm';
import { readableAddresses, SecretUnreadableError, type Db, type InboxSecrets } from '../../server/channel-port.ts';
import { contactIdentities, conversationParticipants, inboxes, messages } from '../../drizzle/schema/index.ts';
import type { ChannelAdapter, InboundMessage, OutboundAttachment } from '../types.ts';
import { InboundRejected, PermanentDeliveryError } from '../types.ts';
import { emailExternalId, ownMessageId } from './message-ids.ts';
import type { AuthenticationResults } from './auth-results.ts';
import type { ParsedEmail } from './parse.ts';
import { EMAIL_SECRET_PATHS, parseEmailSettings } from './settings.ts';
import type { MailSender } from './smtp.ts';
import { normalizeSubject } from './threading.ts';

/** What the IMAP poller hands the adapter: one parsed mail and the thread it was resolved to. */
export type EmailPayload = {
  email: ParsedEmail;
  threadKey: string;
  mailbox: string;
  uid: number;
  /** The addresses of our own email inboxes (lower-case): never participants, never contacts. */
  ownAddresses?: string[];
};

/** What send() reads from the database, injected so the adapter itself stays free of queries. */
export type EmailStore = {
  inbox(inboxId: string): Promise<{ name: string; settings: unknown } | null>;
  /** The customer's latest mail in the conversation: the one a reply answers. */
  replyTarget(conversationId: string): Promise<StoredEmailHeaders | null>;
  /** The email addresses that took part in the conversation (From/To/Cc of its mails), first seen first. */
  participants(conversationId: string): Promise<string[]>;
};

export type EmailAdapterDeps = {
  emailStore: EmailStore;
  mailSender: MailSender;
  /** Reads a stored file of a reply (ChannelPort.blobs); replies with files need it. */
  readBlob?: (blobId: string) => Promise<Buffer>;
};

export function createEmailStore(db: Db, secrets: InboxSecrets): EmailStore {
  return {
    async inbox(inboxId) {
      const [row] = await db
        .select({ name: inboxes.name, settings: inboxes.settings })
        .from(inboxes)
        .where(eq(inboxes.id, inboxId));
      return row ? { name: row.name, settings: secrets.open(inboxId, row.settings, EMAIL_SECRET_PATHS) } : null;
    },
    async replyTarget(conversationId) {
      const [row] = await db
        .select({ metadata: messages.metadata })
        .from(messages)
        .where(
          and(
            eq(messages.conversationId, conversationId),
            eq(messages.direction, 'inbound'),
            eq(messages.channel, 'email'),
          ),
        )
        .orderBy(desc(messages.createdAt))
        .limit(1);
      const headers = row?.metadata.email as StoredEmailHeaders | undefined;
      return headers?.messageId ? headers : null;
    },
    async participants(conversationId) {
      // Addresses are stored sealed: opened here, first seen first (then by address); an unreadable one is left out.
      const rows = await db
        .select({
          id: contactIdentities.id,
          sealedAddress: contactIdentities.sealedAddress,
          firstSeenAt: conversationParticipants.firstSeenAt,
        })
        .from(conversationParticipants)
        .innerJoin(contactIdentities, eq(contactIdentities.id, conversationParticipants.identityId))
        .where(and(eq(conversationParticipants.conversationId, conversationId), eq(contactIdentities.kind, 'email')))
        .orderBy(conversationParticipants.firstSeenAt);
      const opened = await readableAddresses(db, rows);
      opened.sort((a, b) => a.firstSeenAt.getTime() - b.firstSeenAt.getTime() || a.address.localeCompare(b.address));
      return [...new Set(opened.map((r) => r.address))];
    },
  };
}

/**
 * Who a reply goes to: only addresses that took part in the conversation. To: the conversation's contact when
 * it is a participant (else the first participant); Cc: the other participants, as "reply all" would. A
 * conversation from before participants were recorded has none: the reply goes to its contact alone. Reply-To
 * headers are never followed: a stranger's mail cannot redirect replies.
 */
export function replyRecipients(contactAddress: string, participants: string[], ownAddress: string) {
  const own = ownAddress.toLowerCase();
  const others = participants.filter((a) => a !== own);
  if (others.length === 0) return { to: contactAddress, cc: [] };
  const to = others.includes(contactAddress) ? contactAddress : others[0]!;
  return { to, cc: others.filter((a) => a !== to) };
}

/** Mail is authentic when it was read over the inbox's authenticated IMAP session: that is the only producer. */
export const imapRequestUrl = (host: string, mailbox: string, uid: number) =>
  `imap://${host}/${encodeURIComponent(mailbox)};UID=${uid}`;

/** How many References a reply carries: the root and the most recent ones (RFC 5322 3.6.4 allows trimming). */
const MAX_REFERENCES = 20;

/** The header data of a stored mail, kept in messages.metadata.email. */
export type StoredEmailHeaders = {
  messageId: string;
  references: string[];
  mailbox: string;
  uid: number;
  automated: string | null;
  /** SPF/DKIM/DMARC as the receiving server recorded them (methods and results only). */
  authentication?: AuthenticationResults;
};

/**
 * Email. Inbound has no HTTP request to verify: mail is read over an authenticated IMAP session
 * (channels/email/imap-poller.ts) and parsed in parse.ts; this adapter turns the result into the one
 * InboundMessage shape (pure) and sends replies over SMTP with the threading headers mail clients use.
 */
export function createEmailAdapter(deps: EmailAdapterDeps): ChannelAdapter<EmailPayload> {
  return {
    kind: 'email',
    identityKind: 'email',
    capabilities: { threads: true, attachments: true, deliveryReceipts: false, maxLength: 100_000 },
    verify(request) {
      if (!/^imaps?:\/\//.test(request.url))
        throw new InboundRejected('email arrives over IMAP, never as an inbound HTTP request');
    },
    parse({ email, threadKey, mailbox, uid, ownAddresses = [] }, { inboxId }): InboundMessage[] {
      const headers: StoredEmailHeaders = {
        messageId: email.messageId,
        references: email.references.slice(-MAX_REFERENCES),
        mailbox,
        uid,
        automated: email.automated,
        ...(email.authentication ? { authentication: email.authentication } : {}),
      };
      return [
        {
          channel: 'email',
          inboxId,
          sender: { kind: 'email', address: email.from.address, name: email.from.name },
          threadKey,
          externalId: emailExternalId(inboxId, email.messageId),
          text: email.text,
          html: email.html ?? undefined,
          subject: email.subject ?? undefined,
          occurredAt: email.date ?? new Date(),
          metadata: { email: headers, ...(email.markers.length ? { markers: email.markers } : {}) },
          attachments: email.attachments.map(({ filename, contentType, content }) => ({
            filename,
            contentType,
            content,
          })),
          // Automated mail (bounces, auto-replies, lists) makes nobody a participant: replies never go there.
          ...(email.automated
            ? {}
            : {
                participants: [
                  ...email.to.map((a) => ({ kind: 'email' as const, ...a, role: 'to' as const })),
                  ...email.cc.map((a) => ({ kind: 'email' as const, ...a, role: 'cc' as const })),
                ].filter((a) => a.address !== email.from.address && !ownAddresses.includes(a.address)),
              }),
        },
      ];
    },
    async send(message) {
      const inbox = await deps.emailStore.inbox(message.inboxId).catch((err: unknown) => {
        // The stored password does not open here (another key, or not this inbox's): retrying cannot help.
        if (err instanceof SecretUnreadableError) throw new PermanentDeliveryError('email_password_unreadable');
        throw err;
      });
      if (!inbox) throw new Error('inbox not found');
      let settings;
      try {
        settings = parseEmailSettings(inbox.settings);
      } catch (err) {
        throw new PermanentDeliveryError(`email_not_configured: ${(err as Error).message}`);
      }
      const replyingTo = await deps.emailStore.replyTarget(message.conversationId);
      const references = replyingTo
        ? [...replyingTo.references.filter((r) => r !== replyingTo.messageId), replyingTo.messageId]
        : [];
      const trimmed =
        references.length > MAX_REFERENCES ? [references[0]!, ...references.slice(-(MAX_REFERENCES - 1))] : references;
      const messageId = ownMessageId(message.messageId, settings.address);
      const recipients = replyRecipients(
        message.to,
        await deps.emailStore.participants(message.conversationId),
        settings.address,
      );
      await deps.mailSender.send(settings.smtp, {
        from: { name: settings.fromName ?? inbox.name, address: settings.address },
        replyTo: settings.address,
        to: recipients.to,
        ...(recipients.cc.length ? { cc: recipients.cc } : {}),
        subject: replySubject(message.subject),
        text: message.text,
        messageId,
        inReplyTo: replyingTo?.messageId,
        references: trimmed,
        ...(message.attachments?.length ? { attachments: await readFiles(deps, message.attachments) } : {}),
      });
      return { externalId: emailExternalId(message.inboxId, messageId), state: 'sent' };
    },
  };
}

async function readFiles(deps: EmailAdapterDeps, files: OutboundAttachment[]) {
  if (!deps.readBlob) throw new PermanentDeliveryError('files_unavailable: no blob store given to the email adapter');
  const read = deps.readBlob;
  return Promise.all(
    files.map(async (f) => ({ filename: f.filename, contentType: f.contentType, content: await read(f.blobId) })),
  );
}

export function replySubject(subject: string | undefined): string {
  const original = (subject ?? '').trim();
  if (original === '') return 'Re: your message';
  return normalizeSubject(original) !== original.toLowerCase() ? original : `Re: ${original}`;
}
