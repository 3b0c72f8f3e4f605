import type { ConsentPurpose } from '../../drizzle/schema/enums.ts';
import { badRequest } from '../domain/errors.ts';
import { currentConsent, recordConsent } from './consent.ts';
import { noticeIn, noticePurposes, type NoticesDeps } from './notice.ts';
import { asRequestLanguage } from './request-texts.ts';
import type { RequestCodeDeps } from './request-codes.ts';

export type ConsentLine = {
  purpose: ConsentPurpose;
  /** The notice's own words for it; null where no notice asks for it (it can then only be withdrawn). */
  label: string | null;
  granted: boolean;
  occurredAt: string | null;
  canGrant: boolean;
};

type Deps = Pick<RequestCodeDeps, 'db'> & NoticesDeps & Parameters<typeof recordConsent>[0];

/** A person's consent per purpose: the purposes a notice asks for, and any other they ever gave or withdrew. */
export async function consentLines(deps: Pick<RequestCodeDeps, 'db'>, contactId: string, language: string) {
  const states = await currentConsent(deps.db, contactId);
  const noticed = noticePurposes(asRequestLanguage(language));
  const purposes = new Set<ConsentPurpose>([...noticed.map((p) => p.purpose), ...states.map((s) => s.purpose)]);
  return [...purposes].map((purpose): ConsentLine => {
    const state = states.find((s) => s.purpose === purpose);
    const notice = noticed.find((p) => p.purpose === purpose);
    return {
      purpose,
      label: notice?.label ?? null,
      granted: state?.granted ?? false,
      occurredAt: state?.occurredAt ?? null,
      canGrant: Boolean(notice),
    };
  });
}

/**
 * Grants or withdraws a consent for the person verified by a request-page code, recorded in the ledger against
 * the notice in their language with the code as evidence. Granting needs a notice that asks for the purpose.
 */
export async function changeConsentByCode(
  deps: Deps,
  session: { contactId: string; codeId: string; language: string },
  purpose: ConsentPurpose,
  granted: boolean,
): Promise<void> {
  const language = asRequestLanguage(session.language);
  if (granted && !noticePurposes(language).some((p) => p.purpose === purpose))
    throw badRequest('no_notice', 'This consent can only be given where it is asked for, with its notice');
  const notice = noticeIn(deps, language);
  await recordConsent(deps, {
    contactId: session.contactId,
    purpose,
    granted,
    policyVersion: notice.policyVersion,
    textHash: notice.textHash,
    language: notice.language,
    sourceChannel: 'email',
    evidence: { event: granted ? 'request_page.granted' : 'request_page.withdrawn', codeId: session.codeId },
    actor: { kind: 'visitor', id: session.contactId },
  });
}
