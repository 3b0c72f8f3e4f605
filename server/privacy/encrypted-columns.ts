import type { DataKeys } from '../security/data-keys.ts';
import { openEvidence, type Evidence } from './consent-evidence.ts';
import { openScores, type StoredScores } from '../bot/decision-scores.ts';

type Row = Record<string, unknown>;

/**
 * The columns stored encrypted with a person's data key, by table, and how a whole row read from the database is
 * opened for a reader that shows rows as they are (the export's data.json). Each opener runs only when the row
 * carries its column. The columns a later step encrypts (message bodies, contact fields) are added here.
 */
const openers: Record<string, { column: string; open: (dataKeys: DataKeys, row: Row) => Promise<Row> }> = {
  consent_events: {
    column: 'evidence',
    open: async (dataKeys, row) => {
      const [evidence] = await openEvidence(dataKeys, [{ id: String(row.id), evidence: row.evidence as Evidence }]);
      return { ...row, evidence };
    },
  },
  // The decision as it was made: confidence and candidates in their own columns, the sealed form left out.
  bot_decisions: {
    column: 'scores',
    open: async (dataKeys, { scores: _sealed, ...row }) => {
      const [opened] = await openScores(dataKeys, [
        { ...(row as Omit<StoredScores, 'scores'>), scores: _sealed as string | null },
      ]);
      return { ...row, confidence: opened!.confidence, candidates: opened!.candidates };
    },
  },
};

/** The row with its encrypted columns opened (unchanged for a table without any). */
export function openColumns(dataKeys: DataKeys, table: string, row: Row): Promise<Row> | Row {
  const opener = openers[table];
  return opener && row[opener.column] !== undefined ? opener.open(dataKeys, row) : row;
}
