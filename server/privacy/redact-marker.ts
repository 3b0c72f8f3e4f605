import { REDACTION_SENTINEL } from '../../web/i18n/redaction.ts';

/**
 * What stands where text was removed, by an agent's redaction or by the automatic PII redaction: a
 * language-neutral code that every reader sees in their own language (web/i18n/redaction.ts).
 */
export const REDACTED_MARKER = REDACTION_SENTINEL;
