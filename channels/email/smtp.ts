import nodemailer, { type Transporter } from 'nodemailer';
import type { SmtpSettings } from './settings.ts';
import { PermanentDeliveryError } from '../types.ts';

export type OutgoingMail = {
  from: { name: string; address: string };
  replyTo: string;
  to: string;
  /** Other participants of the conversation (reply all). */
  cc?: string[];
  subject: string;
  text: string;
  messageId: string;
  inReplyTo?: string;
  references: string[];
  /** Files the agent attached (read from the blob store by the adapter). */
  attachments?: Array<{ filename: string; contentType: string; content: Buffer }>;
};

export type MailSender = { send(settings: SmtpSettings, mail: OutgoingMail): Promise<void>; close(): void };

/** SMTP status and code only: a server's reply text can echo addresses, and it ends up on the message. */
export function smtpFailureReason(err: unknown): string {
  const e = err as { responseCode?: number; code?: string; response?: string; message?: string };
  const text = (e.response ?? e.message ?? 'unknown error').replace(/[^\s<>"]+@[^\s<>"]+/g, '<address>').slice(0, 160);
  return `SMTP ${[e.responseCode, e.code].filter(Boolean).join(' ')}: ${text}`.replace(/\s+/g, ' ').trim();
}

/**
 * nodemailer transports, one per distinct SMTP account (reused between replies; a changed password
 * makes a new one). The headers are set explicitly: nodemailer would otherwise invent its own
 * Message-ID, and ours must be recognisable when the customer answers.
 */
export function createMailSender(makeTransport: (s: SmtpSettings) => Transporter = smtpTransport): MailSender {
  const transports = new Map<string, Transporter>();
  const transportFor = (s: SmtpSettings) => {
    const key = JSON.stringify([s.host, s.port, s.secure, s.allowPlaintext, s.ca, s.user, s.password]);
    let transport = transports.get(key);
    if (!transport) {
      transport = makeTransport(s);
      transports.set(key, transport);
    }
    return transport;
  };
  return {
    async send(settings, mail) {
      try {
        await transportFor(settings).sendMail({
          from: { name: mail.from.name, address: mail.from.address },
          replyTo: mail.replyTo,
          to: mail.to,
          cc: mail.cc?.length ? mail.cc : undefined,
          subject: mail.subject,
          text: mail.text,
          messageId: mail.messageId,
          inReplyTo: mail.inReplyTo,
          references: mail.references.length ? mail.references : undefined,
          attachments: mail.attachments?.map((a) => ({
            filename: a.filename,
            contentType: a.contentType,
            content: a.content,
          })),
          headers: { 'Auto-Submitted': 'no' },
        });
      } catch (err) {
        // 5xx is the server's final word (unknown recipient, rejected content): retrying cannot help.
        const code = (err as { responseCode?: number }).responseCode ?? 0;
        throw code >= 500 ? new PermanentDeliveryError(smtpFailureReason(err)) : new Error(smtpFailureReason(err));
      }
    },
    close() {
      for (const t of transports.values()) t.close();
      transports.clear();
    },
  };
}

function smtpTransport(s: SmtpSettings): Transporter {
  return nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.secure,
    // Without TLS from the first byte, STARTTLS is required: no password or mail crosses the network in clear
    // unless an admin allowed plaintext for this inbox.
    requireTLS: !s.secure && !s.allowPlaintext,
    tls: s.ca ? { ca: s.ca } : undefined,
    auth: s.user ? { user: s.user, pass: s.password ?? '' } : undefined,
    connectionTimeout: 20_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    logger: false,
  });
}
