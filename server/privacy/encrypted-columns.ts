import type { DataKeys } from '../security/data-keys.ts';
import { openEvidence, type Evidence } from './consent-evidence.ts';
import { openMessageText, openSubjects } from '../domain/message-text.ts';
import { openScores, type StoredScores } from '../bot/decision-scores.ts';
import { addressContext } from '../domain/identity-address.ts';
import { openContact, type StoredFields } from '../domain/contact-fields.ts';

/**
 * The columns stored encrypted with a person's data key, by table, and how a whole row read from the database is
 * opened for a reader that shows rows as they are (the export's data.json). Message text and subjects may be
 * stored either way while existing data is migrated (server/domain/message-text.ts); a value whose key is gone
 * is exported empty, with `textUnreadable` / `subjectUnreadable` saying so. A contact's name, email and phone are
 * exported under those names, whichever form they are stored in (server/domain/contact-fields.ts).
 */
const openers: Record<string, (dataKeys: DataKeys, row: Record<string, unknown>) => Promise<Record<string, unknown>>> =
  {
    consent_events: async (dataKeys, row) => {
      if (row.evidence === undefined) return row;
      const [evidence] = await openEvidence(dataKeys, [{ id: String(row.id), evidence: row.evidence as Evidence }]);
      return { ...row, evidence };
    },
    messages: async (dataKeys, row) => {
      if (typeof row.body !== 'string') return row;
      const text = { id: String(row.id), body: row.body, html: (row.html as string | null | undefined) ?? null };
      const { id: _id, ...opened } = await openMessageText(dataKeys, text);
      return { ...row, ...opened, ...(row.html === undefined ? { html: undefined } : {}) };
    },
    // The decision as it was made: confidence and candidates in their own columns, the sealed form left out.
    bot_decisions: async (dataKeys, row) => {
      if (row.scores === undefined) return row;
      const { scores: sealed, ...rest } = row;
      const [opened] = await openScores(dataKeys, [
        { ...(rest as Omit<StoredScores, 'scores'>), scores: sealed as string | null },
      ]);
      return { ...rest, confidence: opened!.confidence, candidates: opened!.candidates };
    },
    // An identity's address, stored only sealed: shown opened (null and `addressUnreadable` when its key is gone).
    contact_identities: async (dataKeys, row) => {
      if (row.sealedAddress === undefined) return row;
      const { sealedAddress, ...rest } = row;
      const [address] = await dataKeys.decryptMany([
        { sealed: String(sealedAddress), context: addressContext(String(row.id)) },
      ]);
      return { ...rest, address: address ?? null, ...(address === null ? { addressUnreadable: true } : {}) };
    },
    contacts: async (dataKeys, row) => {
      if (row.sealedName === undefined) return row;
      const opened: Record<string, unknown> = await openContact(dataKeys, row as StoredFields);
      return opened;
    },
    conversations: async (dataKeys, row) => {
      if (row.subject === undefined) return row;
      const [opened] = await openSubjects(dataKeys, [{ id: String(row.id), subject: row.subject as string | null }]);
      return { ...row, ...opened };
    },
  };

/** The row with its encrypted columns opened (unchanged for a table without any). */
export function openColumns(
  dataKeys: DataKeys,
  table: string,
  row: Record<string, unknown>,
): Promise<Record<string, unknown>> | Record<string, unknown> {
  const open = openers[table];
  return open ? open(dataKeys, row) : row;
}
