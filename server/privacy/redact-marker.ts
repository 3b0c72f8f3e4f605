/** What stands where text was removed, by an agent's redaction or by the automatic PII redaction. */
export const REDACTED_MARKER = '[redacted]';
