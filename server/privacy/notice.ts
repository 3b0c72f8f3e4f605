import { sha256 } from '../security/tokens.ts';

/**
 * The consent notice the widget shows before anything is stored. Changing the text means a new
 * policy version: the ledger keeps the version and the hash of the exact text each person saw.
 */
export const NOTICE_POLICY_VERSION = '2026-11-01';

export const NOTICE_TEXT = [
  'Before we chat: to answer you, we store the messages you write here and link them to this browser.',
  'We use them only to handle your request, keep them no longer than our retention policy allows,',
  'and you can ask for a copy or for their deletion at any time.',
  'With your separate permission, we also include your conversation in anonymous support statistics.',
].join(' ');

export const NOTICE_PURPOSES = [
  {
    purpose: 'support' as const,
    required: true,
    label: 'Store my messages so support can answer me (required to chat)',
  },
  { purpose: 'analytics' as const, required: false, label: 'Include my conversation in support statistics (optional)' },
];

export const NOTICE_TEXT_HASH = sha256(NOTICE_TEXT);
