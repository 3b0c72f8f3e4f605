import { asc, eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { Db, InboxSecrets } from '../../server/channel-port.ts';
import { inboxes } from '../../drizzle/schema/index.ts';
import { EMAIL_SECRET_PATHS, parseEmailSettings } from './settings.ts';
import type { MailSender } from './smtp.ts';

/** A mail from the support team to a colleague (an invitation to the inbox), not part of any conversation. */
export type StaffMail = { to: string; subject: string; text: string };

/**
 * Sends staff mail through the first email inbox that can send (complete SMTP settings), from its address.
 * Answers false when there is none, so the caller can show the content instead (the inbox's invitation link).
 */
export function createStaffMailer(db: Db, secrets: InboxSecrets, mailSender: MailSender) {
  return async (mail: StaffMail): Promise<boolean> => {
    const rows = await db
      .select({ id: inboxes.id, name: inboxes.name, settings: inboxes.settings })
      .from(inboxes)
      .where(eq(inboxes.channel, 'email'))
      .orderBy(asc(inboxes.createdAt));
    for (const row of rows) {
      let settings;
      try {
        settings = parseEmailSettings(secrets.open(row.id, row.settings, EMAIL_SECRET_PATHS));
      } catch {
        continue; // not a sending inbox (the demo's, or incomplete settings)
      }
      const domain = settings.address.split('@')[1] ?? 'localhost';
      await mailSender.send(settings.smtp, {
        from: { name: settings.fromName ?? row.name, address: settings.address },
        replyTo: settings.address,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        messageId: `<staff-${randomUUID()}@${domain}>`,
        references: [],
      });
      return true;
    }
    return false;
  };
}
