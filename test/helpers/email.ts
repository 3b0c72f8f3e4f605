import type { AgentClient } from './server.ts';
import type { Dovecot } from './dovecot.ts';
import type { SmtpSink } from './smtp.ts';
import type { Db } from '../../server/db/client.ts';
import { inboxes } from '../../drizzle/schema/index.ts';

/** A test server with a certificate is trusted through the inbox's CA; one without TLS needs plaintext allowed. */
const tls = (ca: string | undefined) => (ca ? { ca } : { allowPlaintext: true });

/** Creates an email inbox through the admin API, pointed at the test Dovecot and SMTP sink. */
export async function createEmailInbox(
  admin: AgentClient,
  dovecot: Dovecot,
  smtp: SmtpSink,
  extra: Record<string, unknown> = {},
) {
  const res = await admin.post('/api/inboxes/email', {
    name: 'Support mail',
    settings: {
      address: 'support@shop.example',
      fromName: 'Shop Support',
      imap: {
        host: dovecot.host,
        port: dovecot.port,
        secure: false,
        user: dovecot.user,
        password: dovecot.password,
        ...tls(dovecot.ca),
      },
      smtp: {
        host: smtp.host,
        port: smtp.port,
        secure: false,
        user: smtp.user,
        password: smtp.password,
        ...tls(smtp.ca),
      },
      ...extra,
    },
  });
  if (res.status !== 201) throw new Error(`creating the email inbox failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.inbox as {
    id: string;
    name: string;
    settings: Record<string, unknown>;
    mailbox: Record<string, unknown>;
  };
}

/** Polls until `check` returns a value (not undefined/false), or fails after the timeout. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false | null>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export type MailSpec = {
  from?: string;
  to?: string;
  subject?: string;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  text?: string;
  headers?: Record<string, string>;
  date?: Date;
};

/** A plain RFC 5322 message as a customer's mail client would write it. */
export function rawMail(spec: MailSpec): string {
  const lines = [
    `From: ${spec.from ?? 'Jane Customer <jane@customer.example>'}`,
    `To: ${spec.to ?? 'Shop Support <support@shop.example>'}`,
    `Subject: ${spec.subject ?? 'Question about my order'}`,
    `Date: ${(spec.date ?? new Date()).toUTCString()}`,
    `Message-ID: ${spec.messageId}`,
    ...(spec.inReplyTo ? [`In-Reply-To: ${spec.inReplyTo}`] : []),
    ...(spec.references?.length ? [`References: ${spec.references.join(' ')}`] : []),
    ...Object.entries(spec.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    spec.text ?? 'Hello, where is my order?',
    '',
  ];
  return lines.join('\r\n');
}

/**
 * An email inbox that sends through `smtp` and never fetches (its IMAP points nowhere; the tests run with
 * EMAIL_IMAP_ENABLED=false), inserted directly: for tests of threading and replies that hand mail to ingest themselves.
 */
export async function insertSendOnlyEmailInbox(db: Db, smtp: SmtpSink): Promise<string> {
  const [row] = await db
    .insert(inboxes)
    .values({
      name: 'Support mail',
      channel: 'email',
      settings: {
        address: 'support@shop.example',
        imap: { host: '127.0.0.1', port: 1, secure: false, user: 'unused', password: 'unused' },
        smtp: {
          host: smtp.host,
          port: smtp.port,
          secure: false,
          allowPlaintext: true, // the test's SMTP server speaks no TLS
          user: smtp.user,
          password: smtp.password,
        },
        subjectThreadDays: 7,
      },
    })
    .returning();
  return row!.id;
}
