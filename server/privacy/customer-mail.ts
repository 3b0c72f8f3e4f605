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
