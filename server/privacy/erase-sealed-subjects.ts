import { eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { conversations } from '../../drizzle/schema/index.ts';
import { isDataSealed, type DataKeys } from '../security/data-keys.ts';
import { openSubjects } from '../domain/message-text.ts';
import { sealSubjects } from '../domain/subject-store.ts';
import type { SearchBlinding } from '../domain/search-blind.ts';
import { wordsOf } from '../domain/search-tokens.ts';
import type { MentionMatcher } from './mentions.ts';

/**
 * Erasure's mention redaction in other people's sealed subjects (issue 22): a subject is stored sealed with its
 * conversation contact's key (subject-store.ts), so the database cannot compare it with the person's identifiers.
 * Candidates are found by the tokens of subject_vector, as sealed messages are by theirs (mention-index.ts): every
 * word of an identifier present, or the token of a phone number's national digits; they are opened here, compared
 * like any other row's text, and a changed subject is sealed again with its owner's key and new tokens.
 */

/** The conversations whose sealed subject may mention the person, as an SQL condition (null: nothing to look for). */
export function sealedSubjectCondition(matcher: MentionMatcher, blinding: SearchBlinding): SQL | null {
  const words = matcher.wordTerms.flatMap((term) => {
    const split = wordsOf(term);
    return split.length ? [`( ${split.map((w) => `'${blinding.token(w)}'`).join(' & ')} )`] : [];
  });
  const digits = matcher.digitRuns.map((run) => `'${blinding.digitsToken(run)}'`);
  const operands = [...words, ...digits];
  return operands.length ? sql`${conversations.subjectVector} @@ ${operands.join(' | ')}::tsquery` : null;
}

/** The extra column erasure reads for a conversation row: whose key seals its subject. */
export const sealedSubjectColumns = { owner: conversations.contactId };

/**
 * Opens the sealed subjects of `found` in place (column c<subjectAt>); one whose key is gone mentions nobody and
 * becomes null. Answers the sealed rows' owners (the conversation's contact) by id.
 */
export async function openFoundSubjects(
  keys: Pick<DataKeys, 'decryptMany'>,
  found: Array<Record<string, unknown>>,
  subjectAt: number,
): Promise<Map<string, string>> {
  const sealed = found.filter((r) => isDataSealed(r[`c${subjectAt}`]));
  const opened = await openSubjects(
    keys,
    sealed.map((r) => ({ id: String(r.id), subject: r[`c${subjectAt}`] as string })),
  );
  const owners = new Map<string, string>();
  sealed.forEach((row, i) => {
    row[`c${subjectAt}`] = opened[i]!.subject;
    owners.set(String(row.id), String(row.owner));
  });
  return owners;
}

/** Writes the redacted subjects of sealed rows, sealed again with their new tokens (one encryptMany). */
export async function writeSealedSubjects(
  tx: Db,
  keys: Pick<DataKeys, 'encryptMany' | 'keyFor'>,
  hits: Array<{ id: string; subject: string; owner: string }>,
): Promise<void> {
  const sealed = await sealSubjects(
    keys,
    hits.map((h) => ({ conversationId: h.id, contactId: h.owner, subject: h.subject })),
  );
  for (const [i, hit] of hits.entries()) {
    await tx
      .update(conversations)
      .set({ subject: sealed[i]!.subject, subjectVector: sql`${sealed[i]!.subjectVector}::tsvector` })
      .where(eq(conversations.id, hit.id));
  }
}
