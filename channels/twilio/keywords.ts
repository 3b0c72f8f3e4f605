/**
 * Twilio's standard opt-out keywords (https://help.twilio.com/articles/223134027): a message that is
 * exactly one of these words, in any case and with surrounding blanks or punctuation, is the keyword.
 */
const OPT_OUT = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE'];
const OPT_IN = ['START', 'YES', 'UNSTOP'];
const HELP = ['HELP', 'INFO'];

export type SmsKeyword = { kind: 'opt_out' | 'opt_in' | 'help'; word: string };

export function smsKeyword(body: string): SmsKeyword | null {
  const word = body
    .trim()
    .replace(/[.!?]+$/, '')
    .toUpperCase();
  if (OPT_OUT.includes(word)) return { kind: 'opt_out', word };
  if (OPT_IN.includes(word)) return { kind: 'opt_in', word };
  if (HELP.includes(word)) return { kind: 'help', word };
  return null;
}

/** Twilio accepts at most 1,600 characters in one message body (it splits into segments itself). */
export const SMS_MAX_CHARS = 1600;
