import { simpleParser, type ParsedMail, type Attachment, type AddressObject, type EmailAddress } from 'mailparser';
import { receivedAuthenticationResults, type AuthenticationResults } from './auth-results.ts';
import { normalizeMessageId, syntheticMessageId } from './message-ids.ts';
import { sanitizeMailHtml } from './sanitize.ts';
import { checkMimeStructure, MIME_PROBLEMS } from './mime-check.ts';
import type { MarkerEvent } from '../types.ts';

/** A visible note on a message: something about it that the agent should know. */
export type EmailMarker = {
  kind: 'parse_error' | 'attachment_too_large' | 'body_truncated' | 'automated' | 'text_cleaned' | 'not_a_participant';
  detail: string;
  /** The same as a code and arguments, for the inbox to say in the agent's language. */
  event: MarkerEvent;
};

/** A marker: its English detail and its code. */
export const emailMarker = (
  kind: EmailMarker['kind'],
  code: string,
  detail: string,
  args: MarkerEvent['args'] = {},
): EmailMarker => ({ kind, detail, event: { code, args } });

export type EmailAttachment = {
  filename: string;
  contentType: string;
  content: Buffer;
  inline: boolean;
};

/** Why a message was sent by a machine rather than a person: the bot never answers these. */
export type Automated = 'bounce' | 'auto_reply' | 'bulk' | null;

/** One mail, parsed and normalized; pure data (the adapter turns it into an InboundMessage). */
export type ParsedEmail = {
  messageId: string;
  inReplyTo: string | null;
  /** Oldest first, as in the References header, In-Reply-To appended when missing. */
  references: string[];
  from: { address: string; name?: string };
  /** The other addresses the mail went to (To and Cc, lower-cased, without duplicates): its participants. */
  to: MailAddress[];
  cc: MailAddress[];
  /** SPF/DKIM/DMARC as the receiving server found them (its Authentication-Results header), when it wrote any. */
  authentication: AuthenticationResults | null;
  subject: string | null;
  text: string;
  /** Sanitized. */
  html: string | null;
  date: Date | null;
  attachments: EmailAttachment[];
  markers: EmailMarker[];
  automated: Automated;
  /** Values of headers that tell our own mail apart (loop detection). */
  xLoop: string[];
};

export type MailAddress = { address: string; name?: string };

/** How many To/Cc addresses are kept: a mail to a mailing list of thousands must not create thousands of contacts. */
const MAX_RECIPIENTS = 50;

export type ParseLimits = { maxAttachmentBytes: number; maxTextChars: number };

const UNKNOWN_SENDER = 'unknown-sender@invalid';
const UNREADABLE = '(This message could not be read completely. The original is attached as original.eml.)';

/** PostgreSQL text cannot hold NUL, and broken mail does contain it. */
const clean = (value: string) => value.replaceAll('\u0000', '');

/**
 * Raw RFC 822 -> ParsedEmail. Never throws: a message mailparser cannot read, or whose MIME
 * structure is broken, still becomes a message, with a parse_error marker and the raw source kept
 * as an attachment so nothing the customer sent is lost.
 */
export async function parseEmail(raw: Buffer, limits: ParseLimits): Promise<ParsedEmail> {
  let mail: ParsedMail;
  try {
    mail = await simpleParser(raw, { skipTextToHtml: true, skipImageLinks: true, maxHtmlLengthToParse: 5_000_000 });
  } catch (err) {
    const reason = (err as Error).message.slice(0, 120);
    return unparsable(
      raw,
      emailMarker('parse_error', 'unparsable', `the message could not be parsed (${reason})`, { reason }),
    );
  }
  const markers: EmailMarker[] = [];
  const attachments: EmailAttachment[] = [];
  const structure = checkMimeStructure(raw);
  if (structure) {
    const code = Object.entries(MIME_PROBLEMS).find(([, text]) => text === structure)?.[0] ?? 'unparsable';
    markers.push(emailMarker('parse_error', code, structure, code === 'unparsable' ? { reason: structure } : {}));
  }

  const fromValue = mail.from?.value?.find((a) => a.address && a.address.includes('@'));
  const from = fromValue?.address
    ? { address: fromValue.address.toLowerCase(), name: fromValue.name || undefined }
    : { address: UNKNOWN_SENDER };
  if (!fromValue) markers.push(emailMarker('parse_error', 'no_from', 'the message has no usable From address'));

  for (const a of mail.attachments) {
    const entry = toAttachment(a);
    if (a.size > limits.maxAttachmentBytes || a.content.length > limits.maxAttachmentBytes) {
      markers.push(
        emailMarker(
          'attachment_too_large',
          'attachment_over_limit',
          `${entry.filename} (${formatBytes(a.content.length)}) is over the ` +
            `${formatBytes(limits.maxAttachmentBytes)} limit and was not stored`,
          { name: entry.filename, size: a.content.length, limit: limits.maxAttachmentBytes },
        ),
      );
      continue;
    }
    attachments.push(entry);
  }
  if (markers.some((m) => m.kind === 'parse_error')) attachments.push(rawSource(raw));

  let text = mail.text ?? '';
  if (text.trim() === '' && !mail.html) {
    text = markers.some((m) => m.kind === 'parse_error')
      ? UNREADABLE
      : attachments.length === 0
        ? '(empty message)'
        : '';
  }
  if (text.length > limits.maxTextChars) {
    markers.push(
      emailMarker(
        'body_truncated',
        'text_shortened',
        `the text was shortened to ${limits.maxTextChars} characters; the full mail is in the HTML or the original`,
        { characters: limits.maxTextChars },
      ),
    );
    text = text.slice(0, limits.maxTextChars);
    // The whole mail stays readable: its original is kept (the inbox reads it back in full, or downloads it),
    // within the same size limit as any file of the mail (an over-limit attachment is not stored through it either).
    const kept = attachments.some((a) => a.contentType === 'message/rfc822' && a.filename === 'original.eml');
    if (!kept && raw.length <= limits.maxAttachmentBytes) attachments.push(rawSource(raw));
  }
  const messageId = normalizeMessageId(mail.messageId) ?? syntheticMessageId(raw);
  const inReplyTo = normalizeMessageId(firstId(mail.inReplyTo));
  const references = [mail.references ?? []]
    .flat()
    .flatMap((r) => r.split(/\s+/))
    .map(normalizeMessageId)
    .filter((r): r is string => r !== null);
  if (inReplyTo && !references.includes(inReplyTo)) references.push(inReplyTo);
  const automated = automatedKind(mail, from.address);
  if (automated) markers.push(emailMarker('automated', automated, AUTOMATED_LABEL[automated]));
  if (
    [from.name, from.address, mail.subject, text, mail.html].some((v) => typeof v === 'string' && v.includes('\u0000'))
  )
    markers.push(emailMarker('text_cleaned', 'nul_removed', 'NUL characters, which cannot be stored, were removed'));
  if (from.name) from.name = clean(from.name);
  from.address = clean(from.address);
  return {
    messageId,
    inReplyTo,
    references,
    from,
    to: addressList(mail.to),
    cc: addressList(mail.cc),
    authentication: receivedAuthenticationResults(headerValues(mail, 'authentication-results', false)),
    subject: clean(mail.subject?.trim() ?? '') || null,
    text: clean(text) || (mail.html ? '(HTML message)' : '(no text)'),
    html: mail.html ? clean(sanitizeMailHtml(mail.html)) : null,
    date: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date : null,
    attachments,
    markers,
    automated,
    xLoop: headerValues(mail, 'x-loop'),
  };
}

const AUTOMATED_LABEL: Record<Exclude<Automated, null>, string> = {
  bounce: 'a delivery status notification (bounce)',
  auto_reply: 'an automatic reply',
  bulk: 'bulk or mailing-list mail',
};

function firstId(value: string | undefined): string | undefined {
  return value?.trim().split(/\s+/)[0];
}

function headerValues(mail: ParsedMail, name: string, lowerCase = true): string[] {
  return mail.headerLines
    .filter((l) => l.key === name)
    .map((l) => {
      const value = l.line.slice(l.line.indexOf(':') + 1).trim();
      return lowerCase ? value.toLowerCase() : value;
    });
}

/** To or Cc as plain addresses (groups flattened), lower-cased, each once, at most MAX_RECIPIENTS. */
function addressList(field: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const flat = (list: EmailAddress[]): EmailAddress[] => list.flatMap((a) => (a.group ? flat(a.group) : [a]));
  const seen = new Set<string>();
  const out: MailAddress[] = [];
  for (const entry of flat([field ?? []].flat().flatMap((o) => o.value))) {
    const address = entry.address?.trim().toLowerCase();
    if (!address || !/^[^@\s<>]+@[^@\s<>]+$/.test(address) || seen.has(address)) continue;
    seen.add(address);
    out.push(entry.name ? { address: clean(address), name: clean(entry.name) } : { address: clean(address) });
    if (out.length === MAX_RECIPIENTS) break;
  }
  return out;
}

function headerText(mail: ParsedMail, name: string): string {
  const value = mail.headers.get(name);
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value.toLowerCase();
  if (typeof value === 'object' && 'value' in value && typeof value.value === 'string')
    return value.value.toLowerCase();
  return String(value).toLowerCase();
}

/** RFC 3834 (Auto-Submitted), RFC 3464 (delivery status reports) and the de-facto headers of autoresponders. */
function automatedKind(mail: ParsedMail, fromAddress: string): Automated {
  const contentType = mail.headers.get('content-type') as
    { value?: string; params?: Record<string, string> } | undefined;
  if (contentType?.value === 'multipart/report' && /delivery-status/i.test(contentType.params?.['report-type'] ?? ''))
    return 'bounce';
  const local = fromAddress.split('@')[0] ?? '';
  if (/^(mailer-daemon|postmaster)$/i.test(local)) return 'bounce';
  const autoSubmitted = headerText(mail, 'auto-submitted');
  if (autoSubmitted && autoSubmitted !== 'no') return 'auto_reply';
  if (mail.headers.has('x-autoreply') || mail.headers.has('x-autorespond') || mail.headers.has('x-autoresponder'))
    return 'auto_reply';
  const precedence = headerText(mail, 'precedence');
  if (precedence === 'auto_reply') return 'auto_reply';
  if (['bulk', 'junk', 'list'].includes(precedence) || mail.headerLines.some((l) => l.key === 'list-id')) return 'bulk';
  return null;
}

function toAttachment(a: Attachment): EmailAttachment {
  const inline = a.contentDisposition === 'inline' || a.related;
  const fallback = a.contentType === 'message/rfc822' ? 'message.eml' : inline ? 'inline' : 'attachment';
  return {
    // eslint-disable-next-line no-control-regex -- control characters are exactly what a stored file name must lose
    filename: (a.filename || fallback).replace(/[\u0000-\u001f/\\]/g, '_').slice(0, 200),
    contentType: a.contentType || 'application/octet-stream',
    content: a.content,
    inline,
  };
}

function rawSource(raw: Buffer): EmailAttachment {
  return { filename: 'original.eml', contentType: 'message/rfc822', content: raw, inline: false };
}

/** What we know of a mail mailparser rejected: the From and Subject lines if they can be read. */
function unparsable(raw: Buffer, marker: EmailMarker): ParsedEmail {
  const head = raw.subarray(0, 64 * 1024).toString('latin1');
  const header = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head)?.[1]?.trim();
  const address = /[^\s<>"]+@[^\s<>"]+/.exec(header('from') ?? '')?.[0]?.toLowerCase() ?? UNKNOWN_SENDER;
  return {
    messageId: normalizeMessageId(header('message-id')) ?? syntheticMessageId(raw),
    inReplyTo: null,
    references: [],
    from: { address },
    to: [],
    cc: [],
    authentication: null,
    subject: header('subject') ? clean(header('subject')!) : null,
    text: UNREADABLE,
    html: null,
    date: null,
    attachments: [rawSource(raw)],
    markers: [marker],
    automated: null,
    xLoop: [],
  };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
