import { eq } from 'drizzle-orm';
import type { Db } from '../../server/channel-port.ts';
import { inboxes } from '../../drizzle/schema/index.ts';
import type { TwilioConfig } from './config.ts';

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
  /** Answer to HELP. */
  helpText?: string;
};

/**
 * Inbox settings of an sms/voice inbox:
 *   { "phoneNumber": "+15550100", "accountSid"?: "AC...", "authToken"?: "...",
 *     "recordingAnnouncement"?: "...", "helpText"?: "..." }
 * accountSid and authToken default to TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN; the API never returns settings.
 */
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

export function createTwilioAccounts(db: Db, config: TwilioConfig): TwilioAccounts {
  const cache = new Map<string, { account: TwilioAccount | null; at: number }>();
  return {
    async load(inboxId) {
      const hit = cache.get(inboxId);
      if (hit && Date.now() - hit.at < TTL_MS) return hit.account;
      const [inbox] = await db.select().from(inboxes).where(eq(inboxes.id, inboxId));
      let account: TwilioAccount | null = null;
      if (inbox && (inbox.channel === 'sms' || inbox.channel === 'voice')) {
        const s = inbox.settings;
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
