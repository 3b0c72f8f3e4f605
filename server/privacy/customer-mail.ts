import type { FastifyBaseLogger } from 'fastify';
import type { CodeMailer } from './request-codes.ts';

/** The email channel's system mail (channels/email/staff-mail.ts): from the first inbox that can send. */
export type SystemMailDeps = {
  channels: { email?: { sendStaffMail: (mail: { to: string; subject: string; text: string }) => Promise<boolean> } };
};

/**
 * A mail to a customer that is not part of a conversation (a one-time code, a request's outcome). False when no
 * inbox can send or the server refused; the log names the reason only, never the address or the text.
 */
export function customerMailer(deps: SystemMailDeps, log: FastifyBaseLogger): CodeMailer {
  return async (mail) => {
    const send = deps.channels.email?.sendStaffMail;
    if (!send) return false;
    try {
      return await send(mail);
    } catch (err) {
      log.warn({ reason: (err as { code?: string }).code ?? 'smtp_error' }, 'customer mail not sent');
      return false;
    }
  };
}

/** The SMS channel's texts outside any conversation (channels/twilio/customer-sms.ts). */
export type SystemSmsDeps = {
  channels: {
    twilio?: {
      customerSms: { available(): Promise<boolean>; send(to: string, text: string): Promise<void> };
    };
  };
};

export type CustomerTexter = {
  /** Whether an SMS inbox can send at all: without one, a new number cannot be confirmed. */
  available(): Promise<boolean>;
  /** False when it was not sent (opted out, refused by the provider); the log names the reason only. */
  send(to: string, text: string): Promise<boolean>;
};

export function customerTexter(deps: SystemSmsDeps, log: FastifyBaseLogger): CustomerTexter {
  const sms = deps.channels.twilio?.customerSms;
  return {
    available: async () => (sms ? sms.available() : false),
    async send(to, text) {
      if (!sms) return false;
      try {
        await sms.send(to, text);
        return true;
      } catch (err) {
        log.warn({ reason: (err as { reason?: string }).reason ?? 'sms_error' }, 'customer text not sent');
        return false;
      }
    },
  };
}
