import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { contactIdentities, contacts, inboxes } from '../../drizzle/schema/index.ts';
import { recordConsentWith, type ConsentDeps } from '../privacy/consent.ts';
import { badRequest, conflict, notFound } from './errors.ts';
import { noticeIn, type NoticesDeps } from '../privacy/notice.ts';
import type { Locale } from '../../web/i18n/index.ts';
import { newIdentity } from './identity-address.ts';

export type VisitorSessionInput = {
  inboxId: string;
  policyVersion: string;
  textHash: string;
  language?: Locale;
  consents: { support: boolean; analytics: boolean };
};

/**
 * The first moment a widget visitor exists on the server: only after they accepted the notice.
 * Creates the contact, its visitor identity and the consent events, with the notice's version and hash.
 */
export async function startVisitorSession(deps: ConsentDeps & NoticesDeps, input: VisitorSessionInput) {
  const { db } = deps;
  if (!input.consents.support) {
    throw badRequest('consent_required', 'Consent to store messages for support is required to chat');
  }
  const notice = noticeIn(deps, input.language ?? 'en');
  if (input.policyVersion !== notice.policyVersion || input.textHash !== notice.textHash) {
    throw conflict('notice_outdated', 'The notice has changed; reload the widget and review it again');
  }
  const [inbox] = await db.select().from(inboxes).where(eq(inboxes.id, input.inboxId));
  if (!inbox || inbox.channel !== 'chat') throw notFound('Chat inbox');
  const visitorId = randomUUID();
  const contactId = await recordConsentWith(deps, async (tx) => {
    const [contact] = await tx.insert(contacts).values({}).returning({ id: contacts.id });
    await tx.insert(contactIdentities).values(await newIdentity(db, contact!.id, 'visitor', visitorId));
    // Both purposes in one call: the audit chain's global lock is taken once per session, not twice.
    return {
      consents: (['support', 'analytics'] as const).map((purpose) => ({
        contactId: contact!.id,
        purpose,
        granted: input.consents[purpose],
        policyVersion: input.policyVersion,
        textHash: input.textHash,
        language: notice.language,
        sourceChannel: 'chat' as const,
        evidence: { event: 'widget.notice.accepted', inboxId: inbox.id, visitorId },
        actor: { kind: 'visitor' as const, id: contact!.id },
      })),
      result: contact!.id,
      // Who touched this person's data: the visitor themselves created the contact and its visitor identity.
      audit: [
        {
          actorKind: 'visitor' as const,
          actorId: contact!.id,
          action: 'contact.created',
          targetType: 'contact',
          targetId: contact!.id,
          details: { process: 'widget_session', contactId: contact!.id, fields: ['identity.visitor'] },
        },
      ],
    };
  });
  return { visitorId, contactId, inboxId: inbox.id };
}
