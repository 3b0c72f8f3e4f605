import type { DataKeys } from '../security/data-keys.ts';
import { isDataSealed } from '../security/data-keys.ts';

/**
 * Consent evidence (consent_events.evidence: the widget event, the call sid, an agent's statement, the text an
 * imported record carried) is stored encrypted with the person's data key, as `{ "encrypted": "pdk:v1:…" }`, bound
 * to its row. Erasure destroys the key: a restored backup still proves THAT a consent event existed (purpose,
 * policy version, notice hash, time), but no longer what it was about.
 * Rows written before encryption hold the plain object until `npm run privacy:encrypt-existing` has run; they
 * read as they are.
 */
export type Evidence = Record<string, string>;

const FIELD = 'encrypted';

export const evidenceContext = (eventId: string) => `consent_events.evidence/${eventId}`;

export const isEvidenceEncrypted = (evidence: Evidence): boolean =>
  Object.keys(evidence).length === 1 && isDataSealed(evidence[FIELD]);

/** The stored form of each event's evidence (one key look-up per contact). */
export async function sealEvidence(
  dataKeys: Pick<DataKeys, 'encryptMany'>,
  events: ReadonlyArray<{ id: string; contactId: string; evidence: Evidence }>,
): Promise<Evidence[]> {
  const sealed = await dataKeys.encryptMany(
    events.map((e) => ({
      contactId: e.contactId,
      plaintext: JSON.stringify(e.evidence),
      context: evidenceContext(e.id),
    })),
  );
  return sealed.map((value) => ({ [FIELD]: value }));
}

/**
 * The evidence as it was recorded. Evidence whose key is gone (a backup restored after the person's erasure) reads
 * as an empty object: there is nothing left to show.
 */
export async function openEvidence(
  dataKeys: Pick<DataKeys, 'decryptMany'>,
  events: ReadonlyArray<{ id: string; evidence: Evidence }>,
): Promise<Evidence[]> {
  const sealed = events.filter((e) => isEvidenceEncrypted(e.evidence));
  const opened = await dataKeys.decryptMany(
    sealed.map((e) => ({ sealed: e.evidence[FIELD]!, context: evidenceContext(e.id) })),
  );
  const byId = new Map(sealed.map((e, i) => [e.id, opened[i]]));
  return events.map((e) => {
    if (!byId.has(e.id)) return e.evidence;
    const text = byId.get(e.id);
    return text == null ? {} : (JSON.parse(text) as Evidence);
  });
}
