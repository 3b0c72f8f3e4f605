import type { ConsentPurpose } from '../../drizzle/schema/enums.ts';

/**
 * What every importer reads a helpdesk export into (server/import/zendesk.ts, chatwoot.ts, csv.ts): contacts and
 * conversations with their messages, in the source's own keys. Fields the importer does not map are kept aside
 * in `fields` (by name) so the plan can list them and drop them unless the admin chose to keep them.
 */
export type SourceConsent = { purpose: ConsentPurpose; grantedAt: Date; evidence: string };

export type SourceContact = {
  key: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  lastActivityAt: Date | null;
  /** Consent with evidence in the source; only these become ledger events. */
  consents: SourceConsent[];
  /** Purposes the source claims consent for without any evidence: reported, never recorded. */
  consentsWithoutEvidence: ConsentPurpose[];
  fields: Record<string, unknown>;
};

export type SourceAttachment = { key: string; filename: string; contentType: string; path: string | null };

export type SourceMessage = {
  key: string;
  author: 'contact' | 'agent' | 'note';
  authorName: string | null;
  text: string;
  html?: string;
  occurredAt: Date;
  attachments: SourceAttachment[];
};

export type SourceConversation = {
  key: string;
  contactKey: string;
  subject: string | null;
  createdAt: Date;
  /** When it was closed (solved, resolved); null while open. */
  closedAt: Date | null;
  fields: Record<string, unknown>;
  messages: SourceMessage[];
};

export type SourceSystem = 'zendesk' | 'chatwoot' | 'csv';

export type Source = {
  system: SourceSystem;
  contacts: Map<string, SourceContact>;
  conversations: SourceConversation[];
  /** Per entity, every field of the source that is not mapped, with how many records carry it. */
  unmappedFields: Record<string, Record<string, number>>;
};

/** Counts the fields of a record that the importer does not map. */
export function countUnmapped(
  into: Record<string, Record<string, number>>,
  entity: string,
  record: Record<string, unknown>,
  mapped: readonly string[],
) {
  const counts = (into[entity] ??= {});
  for (const [name, value] of Object.entries(record)) {
    if (mapped.includes(name) || value === null || value === undefined || value === '') continue;
    counts[name] = (counts[name] ?? 0) + 1;
  }
}

const PURPOSES: readonly ConsentPurpose[] = ['support', 'analytics', 'call_recording', 'marketing', 'bot_training'];

/**
 * Consent as a source records it in custom fields named `consent_<purpose>`: a value with evidence (an object
 * `{granted_at, evidence}`, or a string "<ISO time> <evidence>") is consent; `true`, "yes" or a bare date is a
 * claim without evidence and is reported, not recorded.
 */
export function consentFromFields(fields: Record<string, unknown>): {
  consents: SourceConsent[];
  withoutEvidence: ConsentPurpose[];
  rest: Record<string, unknown>;
} {
  const consents: SourceConsent[] = [];
  const withoutEvidence: ConsentPurpose[] = [];
  const rest: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    const purpose = /^consent_(\w+)$/.exec(name)?.[1] as ConsentPurpose | undefined;
    if (!purpose || !PURPOSES.includes(purpose)) {
      rest[name] = value;
      continue;
    }
    if (value === null || value === false || value === '' || value === undefined) continue;
    const evidence = documented(value);
    if (evidence) consents.push({ purpose, ...evidence });
    else withoutEvidence.push(purpose);
  }
  return { consents, withoutEvidence, rest };
}

function documented(value: unknown): { grantedAt: Date; evidence: string } | null {
  if (value && typeof value === 'object') {
    const v = value as { granted_at?: unknown; evidence?: unknown };
    const at = typeof v.granted_at === 'string' ? new Date(v.granted_at) : null;
    if (at && !Number.isNaN(at.getTime()) && typeof v.evidence === 'string' && v.evidence.trim())
      return { grantedAt: at, evidence: v.evidence.trim() };
    return null;
  }
  if (typeof value === 'string') {
    const m = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z?)\s+(\S.*)$/.exec(value.trim());
    if (m && !Number.isNaN(new Date(m[1]!).getTime())) return { grantedAt: new Date(m[1]!), evidence: m[2]! };
  }
  return null;
}

export const asDate = (value: unknown): Date | null => {
  if (value === null || value === undefined || value === '') return null;
  const d = typeof value === 'number' ? new Date(value * 1000) : new Date(String(value));
  return Number.isNaN(d.getTime()) ? null : d;
};
