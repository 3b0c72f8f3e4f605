/** The codes whose details the inbox words from their params (inbox-errors: params.<code>). */
export const PARAM_ERROR_CODES = [
  'message_too_large',
  'rate_limited',
  'file_too_large',
  'too_many_files',
  'kb_limit',
  'legal_hold',
] as const;
