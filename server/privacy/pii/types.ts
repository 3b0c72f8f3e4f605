/** What the automatic detectors look for; each inbox redacts or flags each of them (server/privacy/pii/policy.ts). */
export const piiKinds = ['card', 'iban', 'national_id', 'password', 'special_category'] as const;
export type PiiKind = (typeof piiKinds)[number];

/**
 * A span of a text that holds personal data. `keep` is what redaction leaves visible (a card's last four
 * digits); `label` says what was found in words an agent reads (never the value itself).
 */
export type PiiFinding = { kind: PiiKind; start: number; end: number; keep?: string; label?: string };

/** What each kind is called in markers and reports. */
export const piiKindNames: Record<PiiKind, string> = {
  card: 'payment card number',
  iban: 'IBAN',
  national_id: 'national identity number',
  password: 'password',
  special_category: 'special-category term (Art. 9)',
};
