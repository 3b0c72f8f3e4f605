import { NOTICE_POLICY_VERSION, NOTICE_TEXT, NOTICE_TEXT_HASH } from './notice.ts';

/** A consent notice as the person saw it. */
export type NoticeText = { policyVersion: string; text: string };

/**
 * The notices people were shown, by the hash of their text that the consent ledger keeps, so that an export
 * can show each person the words they agreed to. When the notice changes, its earlier versions stay listed
 * here: the ledger of people who consented before still points at them.
 */
const notices = new Map<string, NoticeText>([
  [NOTICE_TEXT_HASH, { policyVersion: NOTICE_POLICY_VERSION, text: NOTICE_TEXT }],
]);

export const noticeTextOf = (textHash: string): NoticeText | undefined => notices.get(textHash);
