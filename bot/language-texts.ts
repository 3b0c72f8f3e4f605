/**
 * What the bot itself says, per language (the KB's articles say the rest). English is the fallback for a
 * language not listed here. The disclosure names the word that reaches a person in that language, and
 * bot/human-request.ts hands off on it (a test checks each).
 */
export type BotTexts = {
  /** The first message in every conversation the bot speaks in (EU AI Act Art. 50(1)). */
  disclosure: string;
  handoff: string;
  askOrderNumber: string;
  /** After a hand-off for a language the KB does not cover (said in English too). */
  languageNotCovered: string;
};

export const BOT_TEXTS: Record<string, BotTexts> = {
  en: {
    disclosure:
      'Hi! I am an automated assistant (a bot, not a person) and I answer from our help articles. ' +
      'To reach a person at any time, write "human".',
    handoff: 'Let me connect you with a colleague. Someone from our team will reply here shortly.',
    askOrderNumber: 'I can help with that. What is your order number? You find it in your order confirmation email.',
    languageNotCovered:
      'Sorry, I can only answer in English, German, French, Finnish and Swedish. A colleague will reply here shortly.',
  },
  de: {
    disclosure:
      'Hallo! Ich bin ein automatischer Assistent (ein Bot, kein Mensch) und antworte aus unseren Hilfeartikeln. ' +
      'Wenn Sie mit einem Menschen sprechen möchten, schreiben Sie jederzeit „Mensch“.',
    handoff:
      'Ich verbinde Sie mit einer Kollegin oder einem Kollegen. Jemand aus unserem Team antwortet Ihnen gleich hier.',
    askOrderNumber:
      'Dabei helfe ich gern. Wie lautet Ihre Bestellnummer? Sie steht in Ihrer Bestellbestätigung per E-Mail.',
    languageNotCovered:
      'Entschuldigung, ich antworte nur auf Englisch, Deutsch, Französisch, Finnisch und Schwedisch. ' +
      'Ein Kollege meldet sich gleich hier.',
  },
  fr: {
    disclosure:
      'Bonjour ! Je suis un assistant automatique (un robot, pas une personne) et je réponds à partir de nos ' +
      'articles d’aide. Pour parler à une personne à tout moment, écrivez « humain ».',
    handoff: 'Je vous mets en relation avec un collègue. Quelqu’un de notre équipe vous répondra ici sous peu.',
    askOrderNumber:
      'Je peux vous aider. Quel est votre numéro de commande ? ' +
      'Il figure dans votre e-mail de confirmation de commande.',
    languageNotCovered:
      'Désolé, je ne réponds qu’en anglais, allemand, français, finnois et suédois. Un collègue va vous répondre ici.',
  },
  fi: {
    disclosure:
      'Hei! Olen automaattinen avustaja (botti, en ihminen) ja vastaan ohjeartikkeleidemme pohjalta. ' +
      'Jos haluat asiakaspalvelijan, kirjoita milloin tahansa ”ihminen”.',
    handoff: 'Ohjaan sinut kollegalleni. Joku tiimistämme vastaa sinulle tässä pian.',
    askOrderNumber: 'Autan mielelläni. Mikä on tilausnumerosi? Löydät sen tilausvahvistuksesta sähköpostistasi.',
    languageNotCovered:
      'Valitettavasti vastaan vain englanniksi, saksaksi, ranskaksi, suomeksi ja ruotsiksi. ' +
      'Kollega vastaa sinulle tässä pian.',
  },
  sv: {
    disclosure:
      'Hej! Jag är en automatisk assistent (en bot, inte en människa) och svarar utifrån våra hjälpartiklar. ' +
      'Skriv ”människa” när som helst om du vill prata med en person.',
    handoff: 'Jag kopplar dig till en kollega. Någon i vårt team svarar dig här snart.',
    askOrderNumber:
      'Det hjälper jag gärna till med. Vad är ditt ordernummer? Du hittar det i orderbekräftelsen i din e-post.',
    languageNotCovered:
      'Tyvärr svarar jag bara på engelska, tyska, franska, finska och svenska. En kollega svarar dig här snart.',
  },
};

export const botTexts = (language: string | null): BotTexts => BOT_TEXTS[language ?? 'en'] ?? BOT_TEXTS.en!;

/** The word each disclosure tells the customer to write to reach a person. */
export const PERSON_WORD: Record<string, string> = {
  en: 'human',
  de: 'Mensch',
  fr: 'humain',
  fi: 'ihminen',
  sv: 'människa',
};
