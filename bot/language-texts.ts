/**
 * What the bot itself says, per language (the KB's articles say the rest). English is the fallback for a
 * language not listed here. The disclosure names the word that reaches a person in that language, and
 * bot/human-request.ts hands off on it (a test checks each).
 */
export type BotTexts = {
  /** The first message in every conversation the bot speaks in (EU AI Act Art. 50(1)). */
  disclosure: string;
  /**
   * Hand-off, honest about who is there: a colleague has been *asked*; nobody has joined yet (the widget says
   * "You are now talking with our team" only once a person has). Inside business hours / outside them.
   */
  handoff: string;
  handoffClosed: string;
  /** A repeated request for a person while waiting: acknowledged, not met with silence. */
  handoffRepeated: string;
  askOrderNumber: string;
  /** After a hand-off for a language the KB does not cover (said in English too). */
  languageNotCovered: string;
};

export const BOT_TEXTS: Record<string, BotTexts> = {
  en: {
    disclosure:
      'Hi! I am an automated assistant (a bot, not a person) and I answer from our help articles. ' +
      'To reach a person at any time, write "human".',
    handoff: 'I have asked a colleague to join this chat. They will reply here; the usual wait is shown below.',
    handoffClosed:
      'I have asked a colleague to join this chat. Our team is not in right now: below you can see when they are ' +
      'back, and leave your email address if you would like the reply by email.',
    handoffRepeated:
      'A colleague has already been asked and will join this chat as soon as they can. You do not need to ask ' +
      'again: your messages are kept for them.',
    askOrderNumber: 'I can help with that. What is your order number? You find it in your order confirmation email.',
    languageNotCovered:
      'Sorry, I can only answer in English, German, French, Finnish and Swedish. A colleague will reply here shortly.',
  },
  de: {
    disclosure:
      'Hallo! Ich bin ein automatischer Assistent (ein Bot, kein Mensch) und antworte aus unseren Hilfeartikeln. ' +
      'Wenn Sie mit einem Menschen sprechen möchten, schreiben Sie jederzeit „Mensch“.',
    handoff:
      'Ich habe eine Kollegin oder einen Kollegen gebeten, diesem Chat beizutreten. Die Antwort kommt hier; ' +
      'die übliche Wartezeit sehen Sie unten.',
    handoffClosed:
      'Ich habe eine Kollegin oder einen Kollegen gebeten, diesem Chat beizutreten. Unser Team ist gerade nicht ' +
      'da: Unten sehen Sie, wann es wieder erreichbar ist, und können Ihre E-Mail-Adresse hinterlassen, wenn Sie ' +
      'die Antwort per E-Mail möchten.',
    handoffRepeated:
      'Eine Kollegin oder ein Kollege ist bereits gefragt und kommt so bald wie möglich in diesen Chat. Sie müssen ' +
      'nicht noch einmal fragen: Ihre Nachrichten bleiben hier für sie.',
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
    handoff:
      'J’ai demandé à un collègue de rejoindre cette conversation. Il vous répondra ici ; le délai d’attente ' +
      'habituel s’affiche ci-dessous.',
    handoffClosed:
      'J’ai demandé à un collègue de rejoindre cette conversation. Notre équipe est absente pour le moment : ' +
      'vous voyez ci-dessous quand elle sera de retour, et vous pouvez laisser votre adresse e-mail pour recevoir ' +
      'la réponse par e-mail.',
    handoffRepeated:
      'Un collègue a déjà été prévenu et rejoindra cette conversation dès que possible. Inutile de redemander : ' +
      'vos messages l’attendent ici.',
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
    handoff: 'Pyysin kollegaa liittymään tähän keskusteluun. Hän vastaa tässä; tavallinen odotusaika näkyy alla.',
    handoffClosed:
      'Pyysin kollegaa liittymään tähän keskusteluun. Tiimimme ei ole nyt paikalla: näet alta, milloin he ' +
      'palaavat, ja voit jättää sähköpostiosoitteesi, jos haluat vastauksen sähköpostitse.',
    handoffRepeated:
      'Kollegaa on jo pyydetty, ja hän liittyy keskusteluun niin pian kuin voi. Sinun ei tarvitse pyytää ' +
      'uudelleen: viestisi odottavat häntä täällä.',
    askOrderNumber: 'Autan mielelläni. Mikä on tilausnumerosi? Löydät sen tilausvahvistuksesta sähköpostistasi.',
    languageNotCovered:
      'Valitettavasti vastaan vain englanniksi, saksaksi, ranskaksi, suomeksi ja ruotsiksi. ' +
      'Kollega vastaa sinulle tässä pian.',
  },
  sv: {
    disclosure:
      'Hej! Jag är en automatisk assistent (en bot, inte en människa) och svarar utifrån våra hjälpartiklar. ' +
      'Skriv ”människa” när som helst om du vill prata med en person.',
    handoff: 'Jag har bett en kollega att ansluta till chatten. Du får svar här; den vanliga väntetiden visas nedan.',
    handoffClosed:
      'Jag har bett en kollega att ansluta till chatten. Vårt team är inte på plats just nu: nedan ser du när de ' +
      'är tillbaka, och du kan lämna din e-postadress om du vill ha svaret via e-post.',
    handoffRepeated:
      'En kollega har redan tillfrågats och ansluter till chatten så snart som möjligt. Du behöver inte fråga ' +
      'igen: dina meddelanden väntar på dem här.',
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
