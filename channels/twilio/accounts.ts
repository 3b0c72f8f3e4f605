import { eq } from 'drizzle-orm';
import { SecretUnreadableError, type Db, type InboxSecrets } from '../../server/channel-port.ts';
import { inboxes } from '../../drizzle/schema/index.ts';
import type { TwilioConfig } from './config.ts';
import { isLocale, type Locale } from '../../web/i18n/index.ts';

/** One Twilio number as an inbox: where its webhooks come from and how to call the REST API for it. */
export type TwilioAccount = {
  inboxId: string;
  channel: 'sms' | 'voice';
  /** E.164 number of the inbox (From of replies). */
  phoneNumber: string;
  accountSid: string;
  authToken: string;
  /** Spoken before recording; {days} is replaced by the retention period. */
  recordingAnnouncement?: string;
  /** Answer to HELP (the admin's own words); without it, the catalog's in the number's language. */
  helpText?: string;
  /** The language of this number (setting "language": en, de, fr, fi, sv); null: the conversation's language. */
  language: Locale | null;
  /** The voice that speaks on this number (setting "voice", e.g. "Polly.Marlene"); else the language's own. */
  voice?: string;
  /** The number sends MMS (an admin says so on the inbox): images go as MediaUrl, other files as links. */
  mms: boolean;
};

/**
 * Inbox settings of an sms/voice inbox:
 *   { "phoneNumber": "+15550100", "accountSid"?: "AC...", "authToken"?: "...",
 *     "recordingAnnouncement"?: "...", "helpText"?: "...", "mms"?: true, "language"?: "de", "voice"?: "Polly.Vicki" }
 * accountSid and authToken default to TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN; the API never returns settings.
 * An inbox's own authToken is stored encrypted (TWILIO_SECRET_PATHS).
 */
export const TWILIO_SECRET_PATHS = ['authToken'] as const;

export type TwilioAccounts = {
  /** The inbox's account, or null when it is not an sms/voice inbox or has no credentials. */
  load(inboxId: string): Promise<TwilioAccount | null>;
  /** What load() last found (sync, for the adapter's verify, which runs after the route loaded it). */
  cached(inboxId: string): TwilioAccount | undefined;
  /** After a settings change on this server (other servers see it within the cache's 30 s). */
  forget(inboxId: string): void;
};

const TTL_MS = 30_000;
const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

export function createTwilioAccounts(db: Db, config: TwilioConfig, secrets: InboxSecrets): TwilioAccounts {
  const cache = new Map<string, { account: TwilioAccount | null; at: number }>();
  return {
    async load(inboxId) {
      const hit = cache.get(inboxId);
      if (hit && Date.now() - hit.at < TTL_MS) return hit.account;
      const [inbox] = await db.select().from(inboxes).where(eq(inboxes.id, inboxId));
      let account: TwilioAccount | null = null;
      let s: Record<string, unknown> | null = null;
      try {
        s = inbox ? secrets.open(inboxId, inbox.settings, TWILIO_SECRET_PATHS) : null;
      } catch (err) {
        // Its own token does not open here: no account (falling back to the default account's token would
        // verify this number's webhooks with another account's key).
        if (!(err instanceof SecretUnreadableError)) throw err;
      }
      if (inbox && s && (inbox.channel === 'sms' || inbox.channel === 'voice')) {
        const accountSid = str(s.accountSid) ?? config.accountSid;
        const authToken = str(s.authToken) ?? config.authToken;
        // `number` is what the demo seed (and early configurations) call it.
        const phoneNumber = str(s.phoneNumber) ?? str(s.number);
        if (accountSid && authToken && phoneNumber) {
          account = {
            inboxId,
            channel: inbox.channel,
            phoneNumber,
            accountSid,
            authToken,
            recordingAnnouncement: str(s.recordingAnnouncement),
            helpText: str(s.helpText),
            language: isLocale(s.language) ? s.language : null,
            voice: str(s.voice),
            mms: s.mms === true,
          };
        }
      }
      cache.set(inboxId, { account, at: Date.now() });
      return account;
    },
    cached(inboxId) {
      return cache.get(inboxId)?.account ?? undefined;
    },
    forget(inboxId) {
      cache.delete(inboxId);
    },
  };
}
