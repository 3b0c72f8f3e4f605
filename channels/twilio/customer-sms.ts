import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../server/channel-port.ts';
import { inboxes } from '../../drizzle/schema/index.ts';
import type { TwilioAccount } from './accounts.ts';
import { describeTwilioError, twilioClient } from './client.ts';
import { SMS_MAX_CHARS } from './keywords.ts';
import type { TwilioAdapterDeps } from './sender.ts';
import { isOptedOutAnywhere } from './opt-outs.ts';

/** Why a text outside any conversation was not sent; a reason only, never the number or the text. */
export class CustomerSmsNotSent extends Error {
  constructor(
    readonly reason: 'opted_out' | 'too_long' | 'no_number' | 'provider_error',
    /** Twilio's error text for provider_error: codes and statuses, never the recipient. */
    readonly detail?: string,
  ) {
    super(`customer SMS not sent: ${reason}${detail ? ` (${detail})` : ''}`);
  }
}

export type CustomerSms = {
  /** Whether some SMS inbox has a number and an account to send from. */
  available(): Promise<boolean>;
  /** Sends one text (a one-time code) from the first SMS inbox's number; throws CustomerSmsNotSent. */
  send(to: string, text: string): Promise<void>;
  /**
   * Whether the number texted STOP to any of our numbers. A text the person did not ask for (a request's outcome)
   * is not sent then, whichever number it would come from; `send` itself checks only the number it sends from.
   */
  optedOut(to: string): Promise<boolean>;
};

/**
 * Texts that belong to no conversation (the code that confirms a new phone number, issue 21): sent from the
 * number of the oldest SMS inbox that can send, through the same outbound guard and STOP list as replies. No
 * status callback is asked for: there is no message row for it to update.
 */
export function createCustomerSms(db: Db, deps: TwilioAdapterDeps): CustomerSms {
  async function sender(): Promise<TwilioAccount | null> {
    const smsInboxes = await db
      .select({ id: inboxes.id })
      .from(inboxes)
      .where(eq(inboxes.channel, 'sms'))
      .orderBy(asc(inboxes.createdAt));
    for (const inbox of smsInboxes) {
      const account = await deps.accounts.load(inbox.id);
      if (account) return account;
    }
    return null;
  }
  return {
    available: async () => (await sender()) !== null,
    optedOut: (to) => isOptedOutAnywhere(db, to),
    async send(to, text) {
      const account = await sender();
      if (!account) throw new CustomerSmsNotSent('no_number');
      if (text.length > SMS_MAX_CHARS) throw new CustomerSmsNotSent('too_long');
      if (!/^\+[1-9][0-9]{6,14}$/.test(to)) throw new CustomerSmsNotSent('no_number');
      if (await deps.isOptedOut(account.phoneNumber, to)) throw new CustomerSmsNotSent('opted_out');
      const client = twilioClient(deps.outbound, account.accountSid, account.authToken, deps.twilio.apiUrl);
      try {
        await client.messages.create({ from: account.phoneNumber, to, body: text });
      } catch (err) {
        throw new CustomerSmsNotSent('provider_error', describeTwilioError(err).text);
      }
    },
  };
}
