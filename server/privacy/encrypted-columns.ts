import type { DataKeys } from '../security/data-keys.ts';
import { openEvidence, type Evidence } from './consent-evidence.ts';

/**
 * The columns stored encrypted with a person's data key, by table, and how a whole row read from the database is
 * opened for a reader that shows rows as they are (the export's data.json). The columns a later step encrypts
 * (message bodies, contact fields) are added here, next to consent evidence.
 */
const openers: Record<string, (dataKeys: DataKeys, row: Record<string, unknown>) => Promise<Record<string, unknown>>> =
  {
    consent_events: async (dataKeys, row) => {
      const [evidence] = await openEvidence(dataKeys, [{ id: String(row.id), evidence: row.evidence as Evidence }]);
      return { ...row, evidence };
    },
  };

/** The row with its encrypted columns opened (unchanged for a table without any). */
export function openColumns(
  dataKeys: DataKeys,
  table: string,
  row: Record<string, unknown>,
): Promise<Record<string, unknown>> | Record<string, unknown> {
  const open = openers[table];
  return open && row.evidence !== undefined ? open(dataKeys, row) : row;
}
