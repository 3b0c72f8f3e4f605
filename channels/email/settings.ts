/**
 * The per-inbox configuration of an email inbox, kept in inboxes.settings (jsonb). Passwords are
 * stored there and never leave the server: publicEmailSettings() is the only shape the API returns.
 */
export type ImapSettings = {
  host: string;
  port: number;
  /** true: TLS from the first byte (993); false: plain, upgraded with STARTTLS when the server offers it. */
  secure: boolean;
  user: string;
  /** The account password or, for Gmail/Outlook/iCloud/Yahoo/Fastmail, an app password. */
  password: string;
  mailbox: string;
};

export type SmtpSettings = {
  host: string;
  port: number;
  /** true: TLS from the first byte (465); false: STARTTLS when offered (587, 25). */
  secure: boolean;
  user?: string;
  password?: string;
};

export type EmailSettings = {
  /** The support address: From and Reply-To of every reply, and the domain of our Message-IDs. */
  address: string;
  /** Display name in From ("Acme Support"); the inbox name when unset. */
  fromName?: string;
  imap: ImapSettings;
  smtp: SmtpSettings;
  /** Set \Seen on ingested mail (default true). Mail is never deleted unless deleteAfterIngest is set. */
  markSeen: boolean;
  /** Delete (and expunge) each message from the mailbox once it is committed here (default false). */
  deleteAfterIngest: boolean;
  /** Larger attachments are not stored: the message carries a visible marker instead. */
  maxAttachmentBytes: number;
  /** A reply without usable References may join a conversation with the same subject this recent. */
  subjectThreadDays: number;
};

export const EMAIL_DEFAULTS = {
  mailbox: 'INBOX',
  markSeen: true,
  deleteAfterIngest: false,
  maxAttachmentBytes: 25 * 1024 * 1024,
  subjectThreadDays: 7,
} as const;

export class EmailSettingsError extends Error {}

const str = (v: unknown, name: string): string => {
  if (typeof v !== 'string' || v.trim() === '') throw new EmailSettingsError(`${name} is required`);
  return v.trim();
};
const optStr = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const port = (v: unknown, name: string): number => {
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535)
    throw new EmailSettingsError(`${name} must be a port number`);
  return n;
};
const bool = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : fallback);
const posInt = (v: unknown, fallback: number, name: string): number => {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new EmailSettingsError(`${name} must be a non-negative integer`);
  return v;
};

/** Validates the jsonb of an email inbox; throws EmailSettingsError naming the first bad field. */
export function parseEmailSettings(raw: unknown): EmailSettings {
  const s = (raw ?? {}) as Record<string, unknown>;
  const address = str(s.address, 'address');
  if (!/^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/.test(address))
    throw new EmailSettingsError('address must be an email address');
  const imap = (s.imap ?? {}) as Record<string, unknown>;
  const smtp = (s.smtp ?? {}) as Record<string, unknown>;
  return {
    address,
    fromName: optStr(s.fromName),
    imap: {
      host: str(imap.host, 'imap.host'),
      port: port(imap.port ?? (imap.secure === false ? 143 : 993), 'imap.port'),
      secure: bool(imap.secure, true),
      user: str(imap.user, 'imap.user'),
      password: str(imap.password, 'imap.password'),
      mailbox: optStr(imap.mailbox) ?? EMAIL_DEFAULTS.mailbox,
    },
    smtp: {
      host: str(smtp.host, 'smtp.host'),
      port: port(smtp.port ?? (smtp.secure === false ? 587 : 465), 'smtp.port'),
      secure: bool(smtp.secure, true),
      user: optStr(smtp.user),
      password: optStr(smtp.password),
    },
    markSeen: bool(s.markSeen, EMAIL_DEFAULTS.markSeen),
    deleteAfterIngest: bool(s.deleteAfterIngest, EMAIL_DEFAULTS.deleteAfterIngest),
    maxAttachmentBytes: posInt(s.maxAttachmentBytes, EMAIL_DEFAULTS.maxAttachmentBytes, 'maxAttachmentBytes'),
    subjectThreadDays: posInt(s.subjectThreadDays, EMAIL_DEFAULTS.subjectThreadDays, 'subjectThreadDays'),
  };
}

/** The settings as the API may show them: every password replaced by whether one is set. */
export function publicEmailSettings(s: EmailSettings) {
  const { password: imapPassword, ...imap } = s.imap;
  const { password: smtpPassword, ...smtp } = s.smtp;
  return { ...s, imap: { ...imap, passwordSet: imapPassword !== '' }, smtp: { ...smtp, passwordSet: !!smtpPassword } };
}

/**
 * A PATCH merged onto stored settings: a password left out (the API never sends one back) keeps the
 * stored one, so an admin editing the host does not have to type the password again.
 */
export function mergeEmailSettings(
  stored: Record<string, unknown> | null,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const base = stored ?? {};
  // Spread as given (not checked here): parseEmailSettings validates the merged result.
  const section = (value: unknown): object => (value ?? {}) as object;
  return {
    ...base,
    ...patch,
    imap: { ...section(base.imap), ...section(patch.imap) },
    smtp: { ...section(base.smtp), ...section(patch.smtp) },
  };
}
