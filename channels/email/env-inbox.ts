import { and, eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { Db, InboxSecrets } from '../../server/channel-port.ts';
import { inboxes } from '../../drizzle/schema/index.ts';
import { EMAIL_SECRET_PATHS, EmailSettingsError, parseEmailSettings, type EmailSettings } from './settings.ts';

export type EnvEmailInbox = { name: string; settings: EmailSettings };

/**
 * One email inbox from the environment, for deployments configured without the admin API:
 *   EMAIL_ADDRESS=support@example.com
 *   EMAIL_IMAP_URL=imaps://user:app-password@imap.example.com:993/INBOX   (imap:// = STARTTLS when offered)
 *   EMAIL_SMTP_URL=smtps://user:app-password@smtp.example.com:465         (smtp:// = STARTTLS when offered)
 *   EMAIL_INBOX_NAME=Support (default "Email")
 *   EMAIL_ALLOW_PLAINTEXT=true   (only for servers without TLS: imap:// and smtp:// then work without STARTTLS)
 * User and password are URL-encoded (an @ in the user is %40). Returns null when EMAIL_IMAP_URL is unset;
 * throws { variable, reason } for a bad value.
 */
export function emailInboxFromEnv(env: Record<string, string | undefined>): EnvEmailInbox | null {
  if (!env.EMAIL_IMAP_URL) return null;
  const server = (variable: string, protocols: Record<string, boolean>) => {
    const raw = env[variable];
    if (!raw) throw new EnvInboxError(variable, 'is required when EMAIL_IMAP_URL is set');
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new EnvInboxError(variable, 'is not a valid URL');
    }
    const secure = protocols[url.protocol];
    if (secure === undefined) throw new EnvInboxError(variable, `must use ${Object.keys(protocols).join(' or ')}`);
    return {
      host: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      secure,
      user: decodeURIComponent(url.username) || undefined,
      password: decodeURIComponent(url.password) || undefined,
      path: decodeURIComponent(url.pathname.replace(/^\//, '')),
    };
  };
  const allowPlaintext = env.EMAIL_ALLOW_PLAINTEXT || 'false';
  if (!['true', 'false'].includes(allowPlaintext))
    throw new EnvInboxError('EMAIL_ALLOW_PLAINTEXT', `must be true or false, got "${allowPlaintext}"`);
  const imap = {
    ...server('EMAIL_IMAP_URL', { 'imaps:': true, 'imap:': false }),
    allowPlaintext: allowPlaintext === 'true',
  };
  const smtp = {
    ...server('EMAIL_SMTP_URL', { 'smtps:': true, 'smtp:': false }),
    allowPlaintext: allowPlaintext === 'true',
  };
  try {
    return {
      name: env.EMAIL_INBOX_NAME || 'Email',
      settings: parseEmailSettings({
        address: env.EMAIL_ADDRESS,
        imap: { ...imap, mailbox: imap.path || undefined },
        smtp,
      }),
    };
  } catch (err) {
    if (err instanceof EmailSettingsError) {
      const variable = err.message.startsWith('address')
        ? 'EMAIL_ADDRESS'
        : err.message.startsWith('smtp')
          ? 'EMAIL_SMTP_URL'
          : 'EMAIL_IMAP_URL';
      throw new EnvInboxError(variable, err.message);
    }
    throw err;
  }
}

export class EnvInboxError extends Error {
  constructor(
    readonly variable: string,
    readonly reason: string,
  ) {
    super(`${variable} ${reason}`);
  }
}

/**
 * Creates the inbox on the first start, and applies the environment's settings on every later one; the passwords
 * are stored encrypted, like those set through the API.
 */
export async function applyEnvEmailInbox(db: Db, secrets: InboxSecrets, inbox: EnvEmailInbox): Promise<string> {
  const [existing] = await db
    .select({ id: inboxes.id })
    .from(inboxes)
    .where(and(eq(inboxes.channel, 'email'), eq(inboxes.name, inbox.name)));
  const id = existing?.id ?? randomUUID();
  const settings = secrets.seal(id, inbox.settings, EMAIL_SECRET_PATHS);
  if (existing) {
    await db.update(inboxes).set({ settings }).where(eq(inboxes.id, id));
    return id;
  }
  const [row] = await db.insert(inboxes).values({ id, name: inbox.name, channel: 'email', settings }).returning();
  return row!.id;
}
