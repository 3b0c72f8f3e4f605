/**
 * "I want a human" in the languages our customers write: such a message hands off at once, whatever the
 * classifier thinks. Patterns run on lower-cased text with diacritics folded (so "möchte" is "mochte",
 * "människa" is "manniska"), and match word stems where the language inflects (Finnish cases, German
 * plurals). They name a person to talk to, not just any use of "person": a false hand-off costs an agent
 * a minute, a missed one costs a customer's patience.
 */
import { normalizeText } from './embedders/lexical.ts';

const PATTERNS: Record<string, RegExp[]> = {
  en: [
    /\b(human|humans|real person|actual person|live (agent|person|chat|support)|person please|someone real)\b/,
    new RegExp(
      [
        String.raw`\b(talk|speak|chat|connect me|put me through|transfer me) (to|with) (a |an |the |your )?`,
        String.raw`(someone|somebody|person|people|agent|representative|rep|operator|`,
        String.raw`staff|employee|manager|support team)\b`,
      ].join(''),
    ),
    /\b(representative|operator)\b/,
    /\b(agent|human|person) please\b/,
  ],
  de: [
    /\bmensch(en)?\b/,
    /\b(echte[nmr]?|richtige[nmr]?|lebende[nmr]?) (person|mitarbeiter\w*|ansprechpartner\w*)\b/,
    /\b(mitarbeiter\w*|sachbearbeiter\w*|kundenberater\w*|ansprechpartner\w*|kundendienstmitarbeiter\w*)\b/,
    /\bmit (jemandem|einer person|einem menschen) (sprechen|reden|verbinden|chatten)\b/,
  ],
  fr: [
    /\b(humain|humaine|etre humain)\b/,
    /\b(une (vraie |veritable )?personne|personne (reelle|physique))\b/,
    /\b(un conseiller|une conseillere|operateur|operatrice|un agent|une agent)\b/,
    /\bparler (a|avec) (quelqu ?un|une personne|un humain|un conseiller|un agent)\b/,
  ],
  fi: [
    /\bihmi(nen|se\w*|s\w*)\b/,
    /\b(oike\w* )?(henkilo(lle|n|a|kunna\w*)?|asiakaspalvelij\w*|tyontekij\w*|virkailij\w*)\b/,
    /\bpuhu\w* (jonkun|jonkin|ihmisen) kanssa\b/,
  ],
  sv: [
    /\bmanniska\w*\b/,
    /\b(riktig|verklig|levande) person\b/,
    /\b(handlaggare\w*|kundtjanstmedarbetare\w*|medarbetare\w*)\b/,
    /\b(prata|tala|chatta) med (nagon|en person|en manniska|en handlaggare)\b/,
  ],
  es: [/\b(humano|una persona( real)?|un agente|operador|operadora|hablar con alguien)\b/],
  it: [/\b(umano|una persona( reale)?|operatore|operatrice|parlare con qualcuno)\b/],
  nl: [/\b(een mens|echte mens|echt persoon|een persoon|medewerker|iemand spreken|met iemand praten)\b/],
};

export const HUMAN_REQUEST_LANGUAGES = Object.keys(PATTERNS);

/** The language whose pattern matched, or null when the message does not ask for a person. */
export function detectHumanRequest(text: string): string | null {
  const normalized = normalizeText(text).replace(/[’']/g, ' ').replace(/\s+/g, ' ');
  for (const [language, patterns] of Object.entries(PATTERNS)) {
    if (patterns.some((p) => p.test(normalized))) return language;
  }
  return null;
}
