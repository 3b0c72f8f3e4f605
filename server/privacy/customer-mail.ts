import type { FastifyBaseLogger } from 'fastify';
import type { CountryCode } from 'libphonenumber-js/max';
import type { Db } from '../db/client.ts';
import type { CodeMailer, RequestCodeDeps } from './request-codes.ts';

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
      customerSms: {
        available(): Promise<boolean>;
        send(to: string, text: string): Promise<void>;
        optedOut(to: string): Promise<boolean>;
      };
    };
  };
};

export type CustomerTexter = {
  /** Whether an SMS inbox can send at all: without one, a new number cannot be confirmed. */
  available(): Promise<boolean>;
  /** False when it was not sent (opted out, refused by the provider); the log names the reason only. */
  send(to: string, text: string): Promise<boolean>;
  /** Whether the number texted STOP to any of our numbers (a request's outcome is then not texted). */
  optedOut(to: string): Promise<boolean>;
};

export function customerTexter(deps: SystemSmsDeps, log: FastifyBaseLogger): CustomerTexter {
  const sms = deps.channels.twilio?.customerSms;
  return {
    available: async () => (sms ? sms.available() : false),
    optedOut: async (to) => (sms ? sms.optedOut(to) : false),
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

/** The Slack app's direct messages outside any conversation (channels/slack/customer-dm.ts). */
export type SystemSlackDeps = {
  channels: {
    slack?: {
      customerDm: {
        memberByEmail(email: string): Promise<string | null>;
        send(memberId: string, text: string): Promise<void>;
      } | null;
    };
  };
};

export type CustomerSlack = {
  /** Whether the Slack app is configured: without it, no code can go to a Slack member. */
  available(): boolean;
  /** The member id of the Slack account with this email address, or null. */
  memberByEmail(email: string): Promise<string | null>;
  /** False when it was not sent (Slack refused); the log names the reason only. */
  send(memberId: string, text: string): Promise<boolean>;
};

export function customerSlack(deps: SystemSlackDeps, log: FastifyBaseLogger): CustomerSlack {
  const dm = deps.channels.slack?.customerDm ?? null;
  return {
    available: () => dm !== null,
    memberByEmail: async (email) => (dm ? dm.memberByEmail(email) : null),
    async send(memberId, text) {
      if (!dm) return false;
      try {
        await dm.send(memberId, text);
        return true;
      } catch (err) {
        log.warn({ reason: (err as { reason?: string }).reason ?? 'slack_error' }, 'customer Slack message not sent');
        return false;
      }
    },
  };
}

/** Everything the request page's one-time codes need: the database, the clock, a sender per identity kind. */
export function requestCodeDeps(
  deps: { db: Db; clock: () => Date; config: { phoneRegion?: CountryCode } } & SystemMailDeps &
    SystemSmsDeps &
    SystemSlackDeps,
  log: FastifyBaseLogger,
): RequestCodeDeps {
  return {
    db: deps.db,
    clock: deps.clock,
    phoneRegion: deps.config.phoneRegion,
    sendMail: customerMailer(deps, log),
    sms: customerTexter(deps, log),
    slack: customerSlack(deps, log),
  };
}
