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

const PATTERNS: Record<string, LanguagePatterns> = {
  en: {
    about: /\bhuman (body|bodies|anatomy|rights|nature|race|history|brain|heart|skeleton|evolution|biology|eye|cells?)\b/g,
    person:
      /\b(human|humans|human being|(a|an|the|your|some|real|actual|live) (person|agent|representative|rep|operator|employee|staff member|manager)|someone|somebody|agent|representative|operator|support team|customer service)\b/,
    ask: /\b(want|need|talk|speak|chat|connect|transfer|put me through|get me|give me|let me|reach|like|prefer|please|pls)\b/,
    plain: /\b(real person|actual person|live (agent|person|chat|support)|someone real|representative)\b/,
  },
  de: {
    about: /\b(menschliche\w*|menschheit\w*|menschenrecht\w*)\b/g,
    person:
      /\b(mensch|menschen|mitarbeiter\w*|sachbearbeiter\w*|kundenberater\w*|ansprechpartner\w*|kundendienst\w*|berater\w*|jemand\w*|(eine[nmr]?|echte[nmr]?|richtige[nmr]?) person)\b/,
    ask: /\b(sprechen|reden|chatten|verbinden|weiterleiten|durchstellen|mochte|will|wollen|brauche|hatte gerne?|bitte|kann ich|gib mir|geben sie mir)\b/,
    plain: /\b(echte[nmr]?|richtige[nmr]?|lebende[nmr]?) (person|mensch\w*|mitarbeiter\w*)\b/,
  },
  fr: {
    about: /\b(corps humains?|droits? (de l )?(homme|humains?)|nature humaine|histoire humaine|etres? humains? (vivent|ont|sont))\b/g,
    person:
      /\b(humain|humaine|etre humain|une (vraie |veritable )?personne|personne (reelle|physique)|conseiller|conseillere|operateur|operatrice|un agent|une agent|quelqu ?un|interlocuteur)\b/,
    ask: /\b(parler|discuter|veux|voudrais|aimerais|besoin|passer|mettre en relation|joindre|contacter|svp|s il vous plait)\b/,
  },
  fi: {
    about: /\b(ihmiskeho\w*|ihmisen (keho|ruumi|elimisto|anatomi)\w*|ihmisoikeu\w*|ihmiskun\w*)\b/g,
    person:
      /\b(ihminen|ihmisen|ihmista|ihmiselle|ihmiseen|oikea\w* henkilo\w*|henkilo(lle|n|a)|asiakaspalvelij\w*|tyontekij\w*|virkailij\w*|jonkun|joku)\b/,
    ask: /\b(puhu\w*|halua\w*|tarvitse\w*|yhdist\w*|ohjaa\w*|saisinko|voinko|saanko|anna|chatata|keskustel\w*|kiitos)\b/,
  },
  sv: {
    about: /\b(manniskokropp\w*|manniskans (kropp|hjarna|historia)\w*|manskliga?\w*|manniskorattighet\w*)\b/g,
    person:
      /\b(manniska|manniskan|en manniska|handlaggare\w*|kundtjanstmedarbetare\w*|medarbetare\w*|(en|riktig|verklig|levande) person|nagon|kundtjanst)\b/,
    ask: /\b(prata|tala|chatta|snacka|vill|behover|koppla|fa|kan jag|ge mig|tack)\b/,
    plain: /\b(riktig|verklig|levande) person\b/,
  },
  es: { person: /\b(humano|una persona( real)?|un agente|operador|operadora|alguien)\b/, ask: /\b(hablar|quiero|necesito|por favor)\b/ },
  it: { person: /\b(umano|una persona( reale)?|operatore|operatrice|qualcuno)\b/, ask: /\b(parlare|voglio|vorrei|per favore)\b/ },
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
