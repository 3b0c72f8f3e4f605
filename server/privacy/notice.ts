import type { Config } from '../config.ts';
import { sha256 } from '../security/tokens.ts';

/**
 * The consent notice the widget shows before anything is stored. It names the controller and links its privacy
 * policy (CONTROLLER_NAME, CONTROLLER_CONTACT, PRIVACY_POLICY_URL) and says what the statistics are: pseudonymous
 * aggregates with a minimum cohort (ANALYTICS_MIN_COHORT). The ledger keeps, with every consent event, the
 * version and the SHA-256 of the exact text shown; the version ends with the start of that hash, so any change
 * of the text (of this template, or of a setting it quotes) is a new version, and a visitor who saw the old
 * one is asked to review the new one (`notice_outdated`).
 */
export const NOTICE_TEMPLATE_VERSION = '2026-12-06';

export type NoticeConfig = Pick<
  Config,
  'controllerName' | 'controllerContact' | 'privacyPolicyUrl' | 'analyticsMinCohort'
> &
  Partial<Pick<Config, 'publicUrl'>>;

export type ConsentNotice = {
  policyVersion: string;
  text: string;
  textHash: string;
  /** Also inside `text`, verbatim (the widget turns it into a link there); null when not configured. */
  privacyPolicyUrl: string | null;
  /** The transparency page (PUBLIC_URL/privacy) the text refers to; the widget links it under the text. */
  transparencyUrl: string | null;
  purposes: typeof NOTICE_PURPOSES;
};

export const NOTICE_PURPOSES = [
  {
    purpose: 'support' as const,
    required: true,
    label: 'Store my messages so support can answer me (required to chat)',
  },
  {
    purpose: 'analytics' as const,
    required: false,
    label: 'Count my conversation in pseudonymous support statistics (optional)',
  },
];

/** The notice for this configuration (built once per server, in the composition root). */
export function consentNotice(config: NoticeConfig): ConsentNotice {
  const contact = config.controllerContact ? ` (contact: ${config.controllerContact})` : '';
  const policy = config.privacyPolicyUrl ? ` Privacy policy: ${config.privacyPolicyUrl}` : '';
  // The plain-words page of what is stored, why, how long and who sees it (server/privacy/transparency.ts). The text
  // names it without its address, so the notice's version does not change with PUBLIC_URL; the widget links it.
  const transparencyUrl = config.publicUrl ? `${config.publicUrl.replace(/\/$/, '')}/privacy` : null;
  const transparency = ' What we store, why, for how long and who else sees it: see our transparency page.';
  const text = [
    `This chat is run by ${config.controllerName}${contact}, who is responsible for your data.`,
    'Before we chat: to answer you, we store the messages you write here and link them to this browser.',
    'We use them only to handle your request, keep them no longer than our retention policy allows,',
    'and you can ask for a copy or for their deletion at any time.',
    'With your separate permission, we also count your conversation in support statistics. These are',
    'pseudonymous, not anonymous: they are stored with a random key standing for you (never your name or',
    'address), which is removed when you withdraw this permission; a figure based on fewer than',
    `${config.analyticsMinCohort} people is never shown.${policy}${transparency}`,
  ].join(' ');
  const textHash = sha256(text);
  return {
    policyVersion: `${NOTICE_TEMPLATE_VERSION}.${textHash.slice(0, 12)}`,
    text,
    textHash,
    privacyPolicyUrl: config.privacyPolicyUrl ?? null,
    transparencyUrl,
    purposes: NOTICE_PURPOSES,
  };
}

/** What the ledger records of the notice (its version and the hash of its text). */
export type NoticeDeps = { notice: Pick<ConsentNotice, 'policyVersion' | 'textHash'> };
