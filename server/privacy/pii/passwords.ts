import type { PiiFinding } from './types.ts';

// "password", in the five languages and the short forms people type.
const WORD = [
  String.raw`(?:passwor[dt]s?|pass ?phrase|passcode|pwd?|kennwort|mot de passe|mdp`,
  String.raw`|salasana(?:ni|na)?|l[öo]senord(?:et)?)`,
].join('');
// What joins the word to the secret: "is", "ist", "est", "on", "är", "was", a colon, an equals sign; or nothing.
const JOIN = String.raw`(?:\s*(?:[:=]|(?<!\p{L})(?:is|ist|est|on|är|was|war|était|oli|var|lautet)(?!\p{L}))\s*|\s+)`;
const CANDIDATE = new RegExp(
  String.raw`\b${WORD}${JOIN}(?:(?:now|jetzt|maintenant|nyt|nu|currently)\s+)?["'“‘«]?([^\s"'”’»]{4,64})`,
  'giu',
);

/** Words that follow "password is" and are not one: "my password is wrong", "Passwort ist abgelaufen", … */
const NOT_A_SECRET = new Set(
  [
    'not',
    'wrong',
    'incorrect',
    'invalid',
    'expired',
    'correct',
    'right',
    'reset',
    'changed',
    'change',
    'missing',
    'being',
    'still',
    'also',
    'does',
    'doesn',
    'didn',
    "doesn't",
    "didn't",
    'working',
    'required',
    'rejected',
    'forgotten',
    'lost',
    'blocked',
    'locked',
    'there',
    'that',
    'this',
    'the',
    'your',
    'mine',
    'same',
    'ok',
    'fine',
    'nicht',
    'falsch',
    'abgelaufen',
    'gesperrt',
    'vergessen',
    'geändert',
    'richtig',
    'korrekt',
    'ungültig',
    'kein',
    'pas',
    'faux',
    'incorrect',
    'expiré',
    'bloqué',
    'oublié',
    'changé',
    'valide',
    'invalide',
    'perdu',
    'ei',
    'väärä',
    'vanhentunut',
    'lukittu',
    'unohtunut',
    'vaihdettu',
    'oikea',
    'toimi',
    'inte',
    'fel',
    'felaktigt',
    'utgånget',
    'låst',
    'glömt',
    'ändrat',
    'rätt',
    'fungerar',
    'reset',
    'link',
    'for',
    'and',
    'please',
    'when',
    'with',
    'after',
    'before',
    'from',
    'because',
    'since',
    'again',
    'für',
    'und',
    'bitte',
    'wenn',
    'mit',
    'nach',
    'vor',
    'von',
    'weil',
    'wieder',
    'pour',
    'et',
    'avec',
    'après',
    'avant',
    'depuis',
    'encore',
    'parce',
    'ja',
    'kun',
    'kanssa',
    'jälkeen',
    'ennen',
    'koska',
    'uudelleen',
    'och',
    'för',
    'med',
    'efter',
    'innan',
    'från',
    'eftersom',
    'igen',
    'field',
    'manager',
    'policy',
    'rules',
    'strength',
    'zurücksetzen',
    'réinitialiser',
    'nollaus',
    'återställning',
    'vergessen?',
    'anymore',
    'mehr',
    'plus',
    'enää',
    'längre',
    'doesnt',
    'didnt',
    'isnt',
    "isn't",
    'ändern',
    'changer',
    'vaihtaa',
    'byta',
    'recovery',
    'hint',
  ].map((w) => w.toLowerCase()),
);

/** Looks like something typed as a secret: a letter and a digit or symbol, or mixed case, not a plain word. */
function looksSecret(token: string, afterColon: boolean): boolean {
  const bare = token.replace(/[.,;)]+$/u, '');
  if (bare.length < 4 || NOT_A_SECRET.has(bare.toLowerCase())) return false;
  if (/^(?:https?:|www\.)/i.test(bare) || /^\S+@\S+\.\S+$/.test(bare)) return false;
  const hasDigit = /\d/.test(bare);
  const hasSymbol = /[^\p{L}\p{N}]/u.test(bare);
  const mixedCase = /\p{Lu}/u.test(bare.slice(1)) && /\p{Ll}/u.test(bare);
  return afterColon || hasDigit || hasSymbol || mixedCase;
}

/**
 * Passwords written into a message ("my password is Tr0ub4dor&3", "Passwort: sommer2024"): the secret after the
 * word, not the word, so the agent still reads that a password was given. Sentences about a password ("my
 * password is wrong") are left alone.
 */
export function findPasswords(text: string): PiiFinding[] {
  const found: PiiFinding[] = [];
  for (const m of text.matchAll(CANDIDATE)) {
    const token = m[1]!;
    const joined = m[0].slice(0, m[0].length - token.length);
    if (!looksSecret(token, /[:=]/.test(joined))) continue;
    const bare = token.replace(/[.,;)]+$/u, '');
    const start = m.index + m[0].length - token.length;
    found.push({ kind: 'password', start, end: start + bare.length });
  }
  return found;
}
