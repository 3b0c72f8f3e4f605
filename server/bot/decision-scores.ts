import { randomUUID } from 'node:crypto';
import type { DataKeys } from '../security/data-keys.ts';
import { isDataSealed } from '../security/data-keys.ts';

/**
 * What a bot decision reveals of the person's question: which knowledge-base articles came close and how close
 * (candidates with their scores, and the confidence). Stored in bot_decisions.scores, sealed with the data key of
 * the conversation's contact and bound to the decision's row, so erasure (which destroys the key) leaves every
 * backup's copy unreadable. Action and reason stay plain: a fixed vocabulary analytics groups by, not the person's.
 * Rows written before encryption keep their plain columns until `npm run privacy:encrypt-existing` has run; they
 * read as they are.
 */
export type DecisionScores = {
  confidence: number | null;
  candidates: Array<{ articleId: string; score: number }>;
};

/** A decision's row as stored: the sealed form, or (rows from before encryption) the plain columns. */
export type StoredScores = { id: string; scores: string | null } & DecisionScores;

export const scoresContext = (decisionId: string) => `bot_decisions.scores/${decisionId}`;

/** The plain columns of a sealed row: nothing in them. */
export const SEALED_COLUMNS = { confidence: null, candidates: [] } satisfies DecisionScores;

/** What a decision whose key is gone (a backup restored after the person's erasure) shows: no scores, no articles. */
export const UNREADABLE_SCORES: DecisionScores = { confidence: null, candidates: [] };

/** The stored form of each decision's scores (one key look-up per contact). */
export function sealScores(
  dataKeys: Pick<DataKeys, 'encryptMany'>,
  decisions: ReadonlyArray<{ id: string; contactId: string } & DecisionScores>,
): Promise<string[]> {
  return dataKeys.encryptMany(
    decisions.map((d) => ({
      contactId: d.contactId,
      plaintext: JSON.stringify({ confidence: d.confidence, candidates: d.candidates }),
      context: scoresContext(d.id),
    })),
  );
}

/** Each decision's scores, opened; `unreadable` when its key is gone, instead of throwing. */
export async function openScores(
  dataKeys: Pick<DataKeys, 'decryptMany'>,
  rows: ReadonlyArray<StoredScores>,
): Promise<Array<DecisionScores & { unreadable: boolean }>> {
  const sealed = rows.filter((r) => isDataSealed(r.scores));
  const opened = await dataKeys.decryptMany(sealed.map((r) => ({ sealed: r.scores!, context: scoresContext(r.id) })));
  const byId = new Map(sealed.map((r, i) => [r.id, opened[i]]));
  return rows.map((r) => {
    if (!byId.has(r.id)) return { confidence: r.confidence, candidates: r.candidates, unreadable: false };
    const text = byId.get(r.id);
    if (text == null) return { ...UNREADABLE_SCORES, unreadable: true };
    const { confidence, candidates } = JSON.parse(text) as DecisionScores;
    return { confidence, candidates, unreadable: false };
  });
}

/** The values to insert for a new decision: a fresh id, the scores sealed to it, nothing plain. */
export async function sealedDecision<T extends { conversationId: string } & Partial<DecisionScores>>(
  dataKeys: Pick<DataKeys, 'encryptMany'>,
  contactId: string,
  decision: T,
): Promise<Omit<T, keyof DecisionScores> & typeof SEALED_COLUMNS & { id: string; scores: string }> {
  const id = randomUUID();
  const { confidence = null, candidates = [], ...rest } = decision;
  const [scores] = await sealScores(dataKeys, [{ id, contactId, confidence, candidates }]);
  return { ...rest, ...SEALED_COLUMNS, id, scores: scores! };
}
