import { sql, type SQL } from 'drizzle-orm';
import type { DataKeys } from '../security/data-keys.ts';
import { subjectContext } from './message-text.ts';
import { textTokensOf } from './message-store.ts';
import type { TextTokens } from './search-tokens.ts';

/**
 * How every writer stores a conversation's subject (issue 22, migration 0047): sealed with the data key of the
 * conversation's contact in its row's context (message-text.ts subjectContext, so the conversation's id is chosen
 * before sealing), and found through `conversations.subject_vector`, keyed tokens computed here from the plaintext
 * (search-tokens.ts): the database receives neither the words nor the key, so a backup keeps no readable subject
 * after its person's erasure.
 *
 * The vector holds the subject's words unstemmed (the 'simple' configuration the plain subject index used: a subject
 * carries no language), with their positions and word pairs as in message text, so the search box finds a subject by
 * whole words and phrases; and the tokens of its digit runs' suffixes (as messages' mention tokens, as lexemes
 * without position: a digits token never equals a word's), so erasure finds a phone number written in a subject.
 */
export function subjectVectorOf(tokens: TextTokens, subject: string): string {
  const words = tokens.document(null, subject, null);
  const digits = tokens.mentionTokens(subject, null).map((t) => `'${t}'`);
  return [words, ...digits].filter((part) => part !== '').join(' ');
}

/** subject_vector's value from a tsvector literal (empty when there is no subject). */
export const subjectVectorValue = (literal: string | null): SQL => sql`${literal}::tsvector`;

export type SubjectInput = { conversationId: string; contactId: string; subject: string };
export type SealedSubject = { subject: string; subjectVector: string };

/** Seals many subjects with one encryptMany, with their index entries (erasure's rewrite, the existing-data stage). */
export async function sealSubjects(
  keys: Pick<DataKeys, 'encryptMany' | 'keyFor'>,
  items: ReadonlyArray<SubjectInput>,
): Promise<SealedSubject[]> {
  if (!items.length) return [];
  const [tokens, sealed] = await Promise.all([
    textTokensOf(keys),
    keys.encryptMany(
      items.map((i) => ({ contactId: i.contactId, plaintext: i.subject, context: subjectContext(i.conversationId) })),
    ),
  ]);
  return items.map((item, i) => ({ subject: sealed[i]!, subjectVector: subjectVectorOf(tokens, item.subject) }));
}
