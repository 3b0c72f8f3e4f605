/**
 * "I want a human" in the languages our customers write: such a message hands off at once, whatever the
 * classifier thinks. Patterns run on lower-cased text with diacritics folded (so "möchte" is "mochte",
 * "människa" is "manniska").
 *
 * A message asks for a person when it names one to talk to AND either asks for it (a verb of wanting,
 * talking, connecting) or is little more than that name ("human please", "Mitarbeiter!"). A word for
 * "human" alone is not enough: "what is the interesting trivia about human bodies" or "wie viele Knochen hat
 * der menschliche Körper" are questions about people, not requests for one, so phrases about the human body
 * (and the like) are taken out before matching. A false hand-off costs an agent a minute, a missed one costs
 * a customer's patience.
 */
import { normalizeText } from './embedders/lexical.ts';

type LanguagePatterns = {
  /** Phrases that mention people without asking for one; removed first. */
  about?: RegExp;
  /** Someone to talk to. */
  person: RegExp;
  /** Asking, wanting, talking, connecting. */
  ask: RegExp;
  /** Phrases that are a request on their own. */
  plain?: RegExp;
};

/** `\b(a|b|c)\b` from a list of alternatives (regular-expression syntax inside them is kept). */
const anyOf = (alternatives: string[], flags = '') => new RegExp(String.raw`\b(${alternatives.join('|')})\b`, flags);

const PATTERNS: Record<string, LanguagePatterns> = {
  en: {
    about: anyOf(
      [
        'human (body|bodies|anatomy|rights|nature|race|history|brain|heart|skeleton)',
        'human (evolution|biology|eye|cells?)',
      ],
      'g',
    ),
    person: anyOf([
      'human',
      'humans',
      'human being',
      '(a|an|the|your|some|real|actual|live) (person|agent|representative|rep|operator|employee|staff member|manager)',
      'someone',
      'somebody',
      'agent',
      'representative',
      'operator',
      'support team',
      'customer service',
    ]),
    ask: anyOf([
      'want',
      'need',
      'talk',
      'speak',
      'chat',
      'connect',
      'transfer',
      'put me through',
      'get me',
      'give me',
      'let me',
      'reach',
      'like',
      'prefer',
      'please',
      'pls',
    ]),
    plain: anyOf([
      'real person',
      'actual person',
      'live (agent|person|chat|support)',
      'someone real',
      'representative',
    ]),
  },
  de: {
    about: anyOf([String.raw`menschliche\w*`, String.raw`menschheit\w*`, String.raw`menschenrecht\w*`], 'g'),
    person: anyOf([
      'mensch',
      'menschen',
      String.raw`mitarbeiter\w*`,
      String.raw`sachbearbeiter\w*`,
      String.raw`kundenberater\w*`,
      String.raw`ansprechpartner\w*`,
      String.raw`kundendienst\w*`,
      String.raw`berater\w*`,
      String.raw`jemand\w*`,
      '(eine[nmr]?|echte[nmr]?|richtige[nmr]?) person',
    ]),
    ask: anyOf([
      'sprechen',
      'reden',
      'chatten',
      'verbinden',
      'weiterleiten',
      'durchstellen',
      'mochte',
      'will',
      'wollen',
      'brauche',
      'hatte gerne?',
      'bitte',
      'kann ich',
      'gib mir',
      'geben sie mir',
    ]),
    plain: anyOf([String.raw`(echte[nmr]?|richtige[nmr]?|lebende[nmr]?) (person|mensch\w*|mitarbeiter\w*)`]),
  },
  fr: {
    about: anyOf(
      [
        'corps humains?',
        'droits? (de l )?(homme|humains?)',
        'nature humaine',
        'histoire humaine',
        'etres? humains? (vivent|ont|sont)',
      ],
      'g',
    ),
    person: anyOf([
      'humain',
      'humaine',
      'etre humain',
      'une (vraie |veritable )?personne',
      'personne (reelle|physique)',
      'conseiller',
      'conseillere',
      'operateur',
      'operatrice',
      'un agent',
      'une agent',
      'quelqu ?un',
      'interlocuteur',
    ]),
    ask: anyOf([
      'parler',
      'discuter',
      'veux',
      'voudrais',
      'aimerais',
      'besoin',
      'passer',
      'mettre en relation',
      'joindre',
      'contacter',
      'svp',
      's il vous plait',
    ]),
  },
  fi: {
    about: anyOf(
      [
        String.raw`ihmiskeho\w*`,
        String.raw`ihmisen (keho|ruumi|elimisto|anatomi)\w*`,
        String.raw`ihmisoikeu\w*`,
        String.raw`ihmiskun\w*`,
      ],
      'g',
    ),
    person: anyOf([
      'ihminen',
      'ihmisen',
      'ihmista',
      'ihmiselle',
      'ihmiseen',
      String.raw`oikea\w* henkilo\w*`,
      'henkilo(lle|n|a)',
      String.raw`asiakaspalvelij\w*`,
      String.raw`tyontekij\w*`,
      String.raw`virkailij\w*`,
      'jonkun',
      'joku',
    ]),
    ask: anyOf([
      String.raw`puhu\w*`,
      String.raw`halua\w*`,
      String.raw`tarvitse\w*`,
      String.raw`yhdist\w*`,
      String.raw`ohjaa\w*`,
      'saisinko',
      'voinko',
      'saanko',
      'anna',
      'chatata',
      String.raw`keskustel\w*`,
      'kiitos',
    ]),
  },
  sv: {
    about: anyOf(
      [
        String.raw`manniskokropp\w*`,
        String.raw`manniskans (kropp|hjarna|historia)\w*`,
        String.raw`manskliga?\w*`,
        String.raw`manniskorattighet\w*`,
      ],
      'g',
    ),
    person: anyOf([
      'manniska',
      'manniskan',
      'en manniska',
      String.raw`handlaggare\w*`,
      String.raw`kundtjanstmedarbetare\w*`,
      String.raw`medarbetare\w*`,
      '(en|riktig|verklig|levande) person',
      'nagon',
      'kundtjanst',
    ]),
    ask: anyOf(['prata', 'tala', 'chatta', 'snacka', 'vill', 'behover', 'koppla', 'fa', 'kan jag', 'ge mig', 'tack']),
    plain: anyOf(['(riktig|verklig|levande) person']),
  },
  es: {
    person: /\b(humano|una persona( real)?|un agente|operador|operadora|alguien)\b/,
    ask: /\b(hablar|quiero|necesito|por favor)\b/,
  },
  it: {
    person: /\b(umano|una persona( reale)?|operatore|operatrice|qualcuno)\b/,
    ask: /\b(parlare|voglio|vorrei|per favore)\b/,
  },
  nl: {
    person: /\b(een mens|echte mens|echt persoon|een persoon|medewerker|iemand)\b/,
    ask: /\b(spreken|praten|wil|graag|alstublieft)\b/,
  },
};

export const HUMAN_REQUEST_LANGUAGES = Object.keys(PATTERNS);

/** A message of at most this many words that names a person is a request ("human please", "Mitarbeiter!"). */
const SHORT_WORDS = 3;

/** The language whose pattern matched, or null when the message does not ask for a person. */
export function detectHumanRequest(text: string): string | null {
  const normalized = normalizeText(text)
    .replace(/[’'?!.,;:()"«»„“”]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const words = normalized ? normalized.split(' ').length : 0;
  for (const [language, p] of Object.entries(PATTERNS)) {
    const rest = p.about ? normalized.replace(p.about, ' ') : normalized;
    if (p.plain?.test(rest)) return language;
    if (p.person.test(rest) && (words <= SHORT_WORDS || p.ask.test(rest))) return language;
  }
  return null;
}
