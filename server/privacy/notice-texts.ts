import { inArray } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { consentNoticeTexts } from '../../drizzle/schema/index.ts';
import type { ConsentNotice } from './notice.ts';

/** A consent notice as the person saw it. */
export type NoticeText = { policyVersion: string; language: string; text: string };

/**
 * Lists this server's notice among the texts shown (once per text), so the ledger's hash always leads back to
 * the words: a notice changed by configuration later keeps its earlier texts here for those who saw them.
 */
export async function registerNotice(
  db: Db,
  notice: Pick<ConsentNotice, 'policyVersion' | 'text' | 'textHash'> & { language?: string },
) {
  await db
    .insert(consentNoticeTexts)
    .values({
      textHash: notice.textHash,
      policyVersion: notice.policyVersion,
      language: notice.language ?? 'en',
      text: notice.text,
    })
    .onConflictDoNothing();
}

/** The notice texts for these ledger hashes (those this installation showed). */
export async function noticeTextsOf(db: Db, textHashes: string[]): Promise<Map<string, NoticeText>> {
  if (!textHashes.length) return new Map();
  const rows = await db.select().from(consentNoticeTexts).where(inArray(consentNoticeTexts.textHash, textHashes));
  return new Map(rows.map((r) => [r.textHash, { policyVersion: r.policyVersion, language: r.language, text: r.text }]));
}
