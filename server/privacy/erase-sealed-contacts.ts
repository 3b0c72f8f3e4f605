import { eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { contacts } from '../../drizzle/schema/index.ts';
import type { DataKeys } from '../security/data-keys.ts';
import type { BlindIndex } from '../security/blind-index.ts';
import { nameTokens, openContactFields, sealFields, tokenArray } from '../domain/contact-fields.ts';

/**
 * Erasure's mention redaction in other contacts' sealed names (issue 22): a contact named "Ada Wexford" is a possible
 * mention of Ada Quartermaine, "Quartermaine, Ada" a certain one. The name is stored sealed (contact-fields.ts), so
 * candidates are found by the tokens of the person's name words (contacts.name_tokens, any one of them), opened
 * here, compared like any other row's text, and a changed name is sealed again with its owner's key and new tokens.
 */

/** The contacts whose sealed name holds one of these words (the person's name words), as an SQL condition. */
export function sealedNameCondition(blindIndex: BlindIndex, words: readonly string[]): SQL | null {
  const tokens = nameTokens(blindIndex, words.join(' '));
  return tokens.length ? sql`${contacts.nameTokens} && ${tokenArray(tokens)}::text[]` : null;
}

/** The extra column erasure reads for a contact row. */
export const sealedNameColumns = { sealedName: contacts.sealedName };

/**
 * Opens the sealed names of `found` in place (column c<nameAt>); a name whose key is gone mentions nobody and becomes
 * null. Answers the ids of the rows that were sealed.
 */
export async function openFoundNames(
  keys: Pick<DataKeys, 'decryptMany'>,
  found: Array<Record<string, unknown>>,
  nameAt: number,
): Promise<Set<string>> {
  const sealed = found.filter((r) => typeof r.sealedName === 'string');
  const opened = await openContactFields(
    keys,
    sealed.map((r) => ({ id: String(r.id), sealedName: r.sealedName as string })),
  );
  sealed.forEach((row, i) => {
    row[`c${nameAt}`] = opened[i]!.name;
  });
  return new Set(sealed.map((r) => String(r.id)));
}

/** Writes the redacted names of sealed rows, sealed again with their tokens. */
export async function writeSealedNames(
  tx: Db,
  keys: { dataKeys: Pick<DataKeys, 'encryptMany'>; blindIndex: BlindIndex },
  hits: Array<{ id: string; name: string | null }>,
): Promise<void> {
  for (const hit of hits) {
    const sealed = await sealFields(keys, hit.id, { name: hit.name });
    await tx.update(contacts).set(sealed).where(eq(contacts.id, hit.id));
  }
}
