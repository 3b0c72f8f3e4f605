import { ChannelConfigError, type Env } from '../module.ts';
import { emailInboxFromEnv, EnvInboxError, type EnvEmailInbox } from './env-inbox.ts';

/** EMAIL_*: the email channel's settings (channels/email/README.md). */
export type EmailConfig = {
  /** Read the IMAP mailboxes of email inboxes in this process (a lease per mailbox picks one process). */
  imapEnabled: boolean;
  /** How long a mailbox lease lasts unrenewed: a dead server's mailboxes are taken over after this. */
  leaseSeconds: number;
  /** Longest wait between reconnect attempts to an IMAP server (the backoff starts at 1 s and doubles). */
  reconnectMaxSeconds: number;
  /** An email inbox configured by EMAIL_IMAP_URL, EMAIL_SMTP_URL, EMAIL_ADDRESS (and EMAIL_INBOX_NAME). */
  envInbox: EnvEmailInbox | null;
};

function seconds(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ChannelConfigError(name, `must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < 1 || value > 3600) throw new ChannelConfigError(name, `must be between 1 and 3600, got ${value}`);
  return value;
}

function enabled(env: Env, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || ['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new ChannelConfigError(name, `must be true or false, got "${raw}"`);
}

export function emailConfigFromEnv(env: Env): EmailConfig {
  let envInbox: EnvEmailInbox | null;
  try {
    envInbox = emailInboxFromEnv(env);
  } catch (err) {
    if (err instanceof EnvInboxError) throw new ChannelConfigError(err.variable, err.reason);
    throw err;
  }
  return {
    imapEnabled: enabled(env, 'EMAIL_IMAP_ENABLED'),
    leaseSeconds: seconds(env, 'EMAIL_LEASE_SECONDS', 30),
    reconnectMaxSeconds: seconds(env, 'EMAIL_RECONNECT_MAX_SECONDS', 300),
    envInbox,
  };
}
