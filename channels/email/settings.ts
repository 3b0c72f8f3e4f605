/**
 * The per-inbox configuration of an email inbox, kept in inboxes.settings (jsonb). Passwords are
 * stored there encrypted (EMAIL_SECRET_PATHS, ChannelPort.secrets) and never leave the server:
 * publicEmailSettings() is the only shape the API returns.
 */
export type ImapSettings = {
  host: string;
  port: number;
  /** true: TLS from the first byte (993); false: plain, then STARTTLS (required unless allowPlaintext). */
  secure: boolean;
  /** Admins only, with a warning: a server without TLS may be used, and the password crosses the network as is. */
  allowPlaintext: boolean;
  /** PEM certificate(s) to trust for this server besides the system's CAs (a private CA, a self-signed server). */
  ca?: string;
  user: string;
  /** The account password or, for Gmail/Outlook/iCloud/Yahoo/Fastmail, an app password. */
  password: string;
  mailbox: string;
};

export type SmtpSettings = {
  host: string;
  port: number;
  /** true: TLS from the first byte (465); false: STARTTLS, required unless allowPlaintext (587, 25). */
  secure: boolean;
  allowPlaintext: boolean;
  ca?: string;
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

/** Where an email inbox's settings hold secrets: encrypted at rest, never returned by the API. */
export const EMAIL_SECRET_PATHS = ['imap.password', 'smtp.password'] as const;

/** What a bad field breaks, so the refusal can be worded in the reader's language (ErrorView.params). */
export type EmailSettingsRule = 'required' | 'port' | 'pem' | 'count' | 'email';

export class EmailSettingsError extends Error {
  constructor(
    readonly field: string,
    readonly rule: EmailSettingsRule,
    message: string,
  ) {
    super(message);
  }
}

/** A change of where a stored password would be sent, without the password: 400 password_required. */
export class PasswordRequiredError extends Error {
  constructor(readonly section: 'imap' | 'smtp') {
    super(
      `${section}.password is required again when the ${section} host, port, user, CA or plaintext setting changes`,
    );
  }
}

const str = (v: unknown, name: string): string => {
  if (typeof v !== 'string' || v.trim() === '') throw new EmailSettingsError(name, 'required', `${name} is required`);
  return v.trim();
};
const optStr = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const port = (v: unknown, name: string): number => {
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535)
    throw new EmailSettingsError(name, 'port', `${name} must be a port number`);
  return n;
};
const bool = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : fallback);
const pem = (v: unknown, name: string): string | undefined => {
  const text = optStr(v);
  if (text !== undefined && !/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(text))
    throw new EmailSettingsError(name, 'pem', `${name} must be PEM certificates (-----BEGIN CERTIFICATE-----)`);
  return text;
};
const posInt = (v: unknown, fallback: number, name: string): number => {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new EmailSettingsError(name, 'count', `${name} must be a non-negative integer`);
  return v;
};

/** Validates the jsonb of an email inbox; throws EmailSettingsError naming the first bad field. */
export function parseEmailSettings(raw: unknown): EmailSettings {
  const s = (raw ?? {}) as Record<string, unknown>;
  const address = str(s.address, 'address');
  if (!/^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/.test(address))
    throw new EmailSettingsError('address', 'email', 'address must be an email address');
  const imap = (s.imap ?? {}) as Record<string, unknown>;
  const smtp = (s.smtp ?? {}) as Record<string, unknown>;
  return {
    address,
    fromName: optStr(s.fromName),
    imap: {
      host: str(imap.host, 'imap.host'),
      port: port(imap.port ?? (imap.secure === false ? 143 : 993), 'imap.port'),
      secure: bool(imap.secure, true),
      allowPlaintext: bool(imap.allowPlaintext, false),
      ca: pem(imap.ca, 'imap.ca'),
      user: str(imap.user, 'imap.user'),
      password: str(imap.password, 'imap.password'),
      mailbox: optStr(imap.mailbox) ?? EMAIL_DEFAULTS.mailbox,
    },
    smtp: {
      host: str(smtp.host, 'smtp.host'),
      port: port(smtp.port ?? (smtp.secure === false ? 587 : 465), 'smtp.port'),
      secure: bool(smtp.secure, true),
      allowPlaintext: bool(smtp.allowPlaintext, false),
      ca: pem(smtp.ca, 'smtp.ca'),
      user: optStr(smtp.user),
      password: optStr(smtp.password),
    },
    markSeen: bool(s.markSeen, EMAIL_DEFAULTS.markSeen),
    deleteAfterIngest: bool(s.deleteAfterIngest, EMAIL_DEFAULTS.deleteAfterIngest),
    maxAttachmentBytes: posInt(s.maxAttachmentBytes, EMAIL_DEFAULTS.maxAttachmentBytes, 'maxAttachmentBytes'),
    subjectThreadDays: posInt(s.subjectThreadDays, EMAIL_DEFAULTS.subjectThreadDays, 'subjectThreadDays'),
  };
}

/**
 * An inbox created without a mail server yet (the demo's, or one whose IMAP/SMTP an admin has still to fill in):
 * its stored address and the defaults, with empty hosts and users, so its settings can be opened and completed.
 */
export function unconnectedEmailSettings(raw: unknown): EmailSettings {
  const address = (raw as { address?: unknown } | null)?.address;
  const server = { host: '', secure: true, allowPlaintext: false, ca: undefined, user: '', password: '' };
  return {
    address: typeof address === 'string' ? address : '',
    imap: { ...server, port: 993, mailbox: EMAIL_DEFAULTS.mailbox },
    smtp: { ...server, port: 465 },
    markSeen: EMAIL_DEFAULTS.markSeen,
    deleteAfterIngest: EMAIL_DEFAULTS.deleteAfterIngest,
    maxAttachmentBytes: EMAIL_DEFAULTS.maxAttachmentBytes,
    subjectThreadDays: EMAIL_DEFAULTS.subjectThreadDays,
  };
}

/** The settings as the API may show them: every password replaced by whether one is set. */
export function publicEmailSettings(s: EmailSettings) {
  const { password: imapPassword, ...imap } = s.imap;
  const { password: smtpPassword, ...smtp } = s.smtp;
  return { ...s, imap: { ...imap, passwordSet: imapPassword !== '' }, smtp: { ...smtp, passwordSet: !!smtpPassword } };
}

type Section = Record<string, unknown>;

/** Where a section's password goes: host, port (its default applied), user, trusted CA, plaintext allowed. */
function destination(name: 'imap' | 'smtp', s: Section): string {
  const secure = s.secure !== false;
  const fallback = name === 'imap' ? (secure ? 993 : 143) : secure ? 465 : 587;
  const host = typeof s.host === 'string' ? s.host.trim().toLowerCase() : '';
  const user = typeof s.user === 'string' ? s.user.trim() : '';
  return JSON.stringify([host, Number(s.port ?? fallback), user, s.allowPlaintext === true, optStr(s.ca) ?? '']);
}

/**
 * A PATCH merged onto stored settings (their secrets decrypted): a password left out (the API never sends one
 * back) keeps the stored one while the server it goes to stays the same. A changed host, port, user, trusted CA,
 * or plaintext allowance needs the password again (PasswordRequiredError): otherwise whoever can edit the
 * settings could send the stored password to a server of their choosing.
 */
export function mergeEmailSettings(
  stored: Record<string, unknown> | null,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const base = stored ?? {};
  // Spread as given (not checked here): parseEmailSettings validates the merged result.
  const section = (value: unknown): Section => (value ?? {}) as Section;
  const merged = {
    ...base,
    ...patch,
    imap: { ...section(base.imap), ...section(patch.imap) },
    smtp: { ...section(base.smtp), ...section(patch.smtp) },
  };
  for (const name of ['imap', 'smtp'] as const) {
    const before = section(base[name]);
    const after = merged[name];
    if (optStr(section(patch[name]).password) || !optStr(before.password)) continue;
    if (name === 'smtp' && !optStr(after.user)) continue; // no AUTH: the stored password is not sent
    if (destination(name, before) !== destination(name, after)) throw new PasswordRequiredError(name);
  }
  return merged;
}
