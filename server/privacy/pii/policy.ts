import { Type, type Static } from 'typebox';
import { piiKinds, type PiiKind } from './types.ts';

/** What an inbox does with each kind of finding: remove it before it is stored, or keep it and flag it to agents. */
export const piiActions = ['redact', 'flag'] as const;
export type PiiAction = (typeof piiActions)[number];
export type PiiPolicy = Record<PiiKind, PiiAction>;

const Action = Type.Union([Type.Literal('redact'), Type.Literal('flag')], {
  description: "'redact': removed before storage (the usual marker); 'flag': kept and marked for agents",
});
export const PiiPolicySchema = Type.Object(
  { card: Action, iban: Action, national_id: Action, password: Action, special_category: Action },
  { additionalProperties: false },
);
export type PiiPolicyBody = Static<typeof PiiPolicySchema>;

/**
 * An inbox without a setting: secrets that no one in support may ever hold (card numbers, PCI DSS; passwords)
 * are removed; identity numbers, IBANs and Art. 9 terms are often what the customer needs help with, so the
 * agent is told and decides (the message's Redact button).
 */
export const DEFAULT_PII_POLICY: PiiPolicy = {
  card: 'redact',
  iban: 'flag',
  national_id: 'flag',
  password: 'redact',
  special_category: 'flag',
};

/** The policy kept in an inbox's settings (`settings.pii`), unknown or missing entries at their default. */
export function piiPolicyOf(settings: Record<string, unknown> | null | undefined): PiiPolicy {
  const stored = settings?.pii;
  const policy = { ...DEFAULT_PII_POLICY };
  if (stored && typeof stored === 'object') {
    for (const kind of piiKinds) {
      const action = (stored as Record<string, unknown>)[kind];
      if (action === 'redact' || action === 'flag') policy[kind] = action;
    }
  }
  return policy;
}
