import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { messages } from '../../drizzle/schema/index.ts';
import { isDataSealed, type DataKeys } from '../security/data-keys.ts';
import { openMessageTexts } from '../domain/message-text.ts';
import { sealMessageTexts } from '../domain/message-store.ts';

/**
 * Erasure's mention redaction in sealed messages (issue 22): the rows the blinded index found are opened here, the
 * person's identifiers are replaced in the plaintext like in any other row, and the changed text is sealed again
 * with its conversation contact's key, its index entries computed from the new plaintext (message-store.ts).
 */
export type SealedMessageOwner = { contactId: string; language: string | null };

/** The extra columns erasure reads for a message row: whose key seals it, the language its index stems in. */
export const sealedMessageColumns = {
  owner: sql<string>`(select c.contact_id from conversations c where c.id = ${messages.conversationId})`,
  language: messages.language,
};

type Found = Record<string, unknown>;

/**
 * Opens the sealed rows of `found` in place (columns c<bodyAt>, c<htmlAt>); a row whose key is gone mentions nobody
 * any more and its values become null. Answers the sealed rows' owners by id.
 */
export async function openFoundMessages(
  keys: Pick<DataKeys, 'decryptMany'>,
  found: Found[],
  bodyAt: number,
  htmlAt: number,
): Promise<Map<string, SealedMessageOwner>> {
  const sealed = found.filter((r) => isDataSealed(r[`c${bodyAt}`]) || isDataSealed(r[`c${htmlAt}`]));
  const opened = await openMessageTexts(
    keys,
    sealed.map((r) => ({ id: String(r.id), body: String(r[`c${bodyAt}`]), html: r[`c${htmlAt}`] as string | null })),
  );
  const owners = new Map<string, SealedMessageOwner>();
  sealed.forEach((row, i) => {
    const text = opened[i]!;
    row[`c${bodyAt}`] = text.textUnreadable ? null : text.body;
    row[`c${htmlAt}`] = text.textUnreadable ? null : (text.html ?? null);
    owners.set(String(row.id), { contactId: String(row.owner), language: (row.language as string | null) ?? null });
  });
  return owners;
}

/** Writes the redacted text of sealed rows, sealed again with its new index entries (one encryptMany). */
export async function writeSealedMentions(
  tx: Db,
  keys: Pick<DataKeys, 'encryptMany' | 'keyFor'>,
  hits: Array<{ id: string; body: string; html: string | null; owner: SealedMessageOwner }>,
): Promise<void> {
  const sealed = await sealMessageTexts(
    keys,
    hits.map((h) => ({
      id: h.id,
      contactId: h.owner.contactId,
      body: h.body,
      html: h.html,
      language: h.owner.language,
    })),
  );
  for (const [i, hit] of hits.entries()) {
    await tx.update(messages).set(sealed[i]!).where(eq(messages.id, hit.id));
  }
}
