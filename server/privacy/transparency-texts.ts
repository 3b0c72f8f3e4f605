import type { RetentionClass } from '../../drizzle/schema/enums.ts';
import type { RequestLanguage } from './request-texts.ts';

/**
 * The transparency page's words (Art. 12-14 in plain language), per language. One module, so the i18n catalog
 * can take it over as it is. Numbers, names and addresses come from the configuration, never from here.
 */
export type TransparencyTexts = {
  title: string;
  intro: (controller: string) => string;
  contact: (contact: string) => string;
  whatTitle: string;
  what: Record<'contact' | 'messages' | 'files' | 'recordings' | 'metadata' | 'consent', string>;
  whyTitle: string;
  why: { support: string; statistics: string; recording: string; bot: string };
  howLongTitle: string;
  classes: Record<RetentionClass, string>;
  days: (n: number) => string;
  untilErased: string;
  /** The trash row: a conversation our staff deleted is kept this long, restorable, before it is deleted for good. */
  trash: string;
  whoTitle: string;
  staff: string;
  processor: (name: string, country: string) => string;
  rightsTitle: string;
  rights: string[];
  howTo: string;
  requestLink: string;
  complaint: string;
};

const en: TransparencyTexts = {
  title: 'How we handle your data when you contact us',
  intro: (c) => `${c} is responsible for the data described here.`,
  contact: (c) => `Questions about your data: ${c}.`,
  whatTitle: 'What we store',
  what: {
    contact: 'Your name, email address and phone number, as far as you give them to us.',
    messages: 'What you write to us and what we answer, on every channel (chat, email, SMS, Slack).',
    files: 'Files you send us or we send you.',
    recordings: 'Recordings of calls, only when you agree to the recording at the start of the call.',
    metadata: 'When and on which channel you contacted us, and the state of your request.',
    consent: 'What you agreed to and when, with the exact notice you saw.',
  },
  whyTitle: 'Why',
  why: {
    support: 'To answer your questions and keep the history needed to help you further.',
    statistics:
      'Only if you allow it: to count your conversation in pseudonymous support statistics. Small groups are never ' +
      'shown.',
    recording: 'Only if you agree: to record calls for quality and proof of what was agreed.',
    bot:
      'An automated assistant may answer first from our help articles. It says it is a bot, and you can ask for a ' +
      'person at any time; it makes no decisions about you.',
  },
  howLongTitle: 'For how long',
  classes: {
    messages: 'Conversations',
    attachments: 'Files',
    recordings: 'Call recordings',
    inactive_contacts: 'Your contact details, after your last contact',
    bot_logs: 'Logs of the automated assistant',
  },
  days: (n) => `${n} days`,
  untilErased: 'until you ask us to erase them',
  trash: 'Conversations our staff deleted (kept in a trash, from which they can still be restored)',
  whoTitle: 'Who else sees it',
  staff: 'Our support staff, only for the inboxes they work in.',
  processor: (name, country) => `${name} (${country}), who processes it on our behalf.`,
  rightsTitle: 'Your rights',
  rights: [
    'Get a copy of your data, also in a machine-readable form.',
    'Have wrong data corrected.',
    'Have your data erased, unless the law requires us to keep it.',
    'Have its use restricted, or object to it.',
    'Withdraw a consent at any time, as easily as you gave it.',
  ],
  howTo: 'Use the privacy panel in the chat, or our request page: we check it is you with a code sent to your email.',
  requestLink: 'Go to the request page',
  complaint: 'You may also complain to a data protection authority.',
};

const de: TransparencyTexts = {
  title: 'Wie wir mit Ihren Daten umgehen, wenn Sie uns kontaktieren',
  intro: (c) => `${c} ist für die hier beschriebenen Daten verantwortlich.`,
  contact: (c) => `Fragen zu Ihren Daten: ${c}.`,
  whatTitle: 'Was wir speichern',
  what: {
    contact: 'Ihren Namen, Ihre E-Mail-Adresse und Telefonnummer, soweit Sie sie uns geben.',
    messages: 'Was Sie uns schreiben und was wir antworten, auf jedem Kanal (Chat, E-Mail, SMS, Slack).',
    files: 'Dateien, die Sie uns senden oder die wir Ihnen senden.',
    recordings: 'Gesprächsaufzeichnungen, nur wenn Sie zu Beginn des Anrufs zustimmen.',
    metadata: 'Wann und über welchen Kanal Sie uns kontaktiert haben, und den Stand Ihres Anliegens.',
    consent: 'Wozu Sie wann eingewilligt haben, mit dem genauen Hinweistext, den Sie gesehen haben.',
  },
  whyTitle: 'Wozu',
  why: {
    support: 'Um Ihre Fragen zu beantworten und den Verlauf zu behalten, den wir dafür brauchen.',
    statistics:
      'Nur mit Ihrer Erlaubnis: um Ihr Gespräch in pseudonymen Support-Statistiken zu zählen. Kleine Gruppen werden ' +
      'nie gezeigt.',
    recording: 'Nur mit Ihrer Zustimmung: Anrufe aufzeichnen, für Qualität und als Nachweis des Vereinbarten.',
    bot:
      'Ein automatischer Assistent kann zuerst aus unseren Hilfeartikeln antworten. Er sagt, dass er ein Bot ist, ' +
      'Sie können jederzeit einen Menschen verlangen, und er trifft keine Entscheidungen über Sie.',
  },
  howLongTitle: 'Wie lange',
  classes: {
    messages: 'Gespräche',
    attachments: 'Dateien',
    recordings: 'Gesprächsaufzeichnungen',
    inactive_contacts: 'Ihre Kontaktdaten, nach Ihrem letzten Kontakt',
    bot_logs: 'Protokolle des automatischen Assistenten',
  },
  days: (n) => `${n} Tage`,
  untilErased: 'bis Sie die Löschung verlangen',
  trash: 'Gespräche, die unser Team gelöscht hat (im Papierkorb, aus dem sie noch wiederhergestellt werden können)',
  whoTitle: 'Wer sie noch sieht',
  staff: 'Unser Support-Team, nur in den Postfächern, in denen es arbeitet.',
  processor: (name, country) => `${name} (${country}), als Auftragsverarbeiter in unserem Auftrag.`,
  rightsTitle: 'Ihre Rechte',
  rights: [
    'Eine Kopie Ihrer Daten erhalten, auch maschinenlesbar.',
    'Falsche Daten berichtigen lassen.',
    'Ihre Daten löschen lassen, sofern das Gesetz nicht verlangt, dass wir sie aufbewahren.',
    'Die Nutzung einschränken lassen oder ihr widersprechen.',
    'Eine Einwilligung jederzeit widerrufen, so einfach wie Sie sie gegeben haben.',
  ],
  howTo:
    'Nutzen Sie den Datenschutzbereich im Chat oder unsere Anfrageseite: Wir prüfen mit einem Code per E-Mail, dass ' +
    'Sie es sind.',
  requestLink: 'Zur Anfrageseite',
  complaint: 'Sie können sich auch bei einer Datenschutzaufsichtsbehörde beschweren.',
};

const fr: TransparencyTexts = {
  title: 'Comment nous traitons vos données lorsque vous nous contactez',
  intro: (c) => `${c} est responsable des données décrites ici.`,
  contact: (c) => `Questions sur vos données : ${c}.`,
  whatTitle: 'Ce que nous conservons',
  what: {
    contact: 'Votre nom, votre adresse e-mail et votre numéro de téléphone, dans la mesure où vous nous les donnez.',
    messages: 'Ce que vous nous écrivez et ce que nous répondons, sur chaque canal (chat, e-mail, SMS, Slack).',
    files: 'Les fichiers que vous nous envoyez ou que nous vous envoyons.',
    recordings: 'Les enregistrements d’appels, seulement si vous l’acceptez au début de l’appel.',
    metadata: 'Quand et par quel canal vous nous avez contactés, et l’état de votre demande.',
    consent: 'Ce que vous avez accepté et quand, avec le texte exact que vous avez vu.',
  },
  whyTitle: 'Pourquoi',
  why: {
    support: 'Pour répondre à vos questions et garder l’historique nécessaire pour vous aider.',
    statistics:
      'Seulement avec votre accord : compter votre conversation dans des statistiques pseudonymes. Les petits ' +
      'groupes ne sont jamais affichés.',
    recording:
      'Seulement avec votre accord : enregistrer les appels, pour la qualité et comme preuve de ce qui a été convenu.',
    bot:
      'Un assistant automatique peut répondre d’abord à partir de nos articles d’aide. Il dit qu’il est un robot, ' +
      'vous pouvez demander une personne à tout moment, et il ne prend aucune décision vous concernant.',
  },
  howLongTitle: 'Pendant combien de temps',
  classes: {
    messages: 'Conversations',
    attachments: 'Fichiers',
    recordings: 'Enregistrements d’appels',
    inactive_contacts: 'Vos coordonnées, après votre dernier contact',
    bot_logs: 'Journaux de l’assistant automatique',
  },
  days: (n) => `${n} jours`,
  untilErased: 'jusqu’à ce que vous demandiez leur effacement',
  trash: 'Conversations supprimées par notre équipe (dans une corbeille, d’où elles peuvent encore être restaurées)',
  whoTitle: 'Qui d’autre les voit',
  staff: 'Notre équipe support, seulement pour les boîtes dans lesquelles elle travaille.',
  processor: (name, country) => `${name} (${country}), sous-traitant qui les traite pour notre compte.`,
  rightsTitle: 'Vos droits',
  rights: [
    'Obtenir une copie de vos données, aussi dans un format lisible par machine.',
    'Faire rectifier des données inexactes.',
    'Faire effacer vos données, sauf si la loi nous oblige à les conserver.',
    'Faire limiter leur usage, ou vous y opposer.',
    'Retirer un consentement à tout moment, aussi facilement que vous l’avez donné.',
  ],
  howTo:
    'Utilisez l’espace confidentialité du chat, ou notre page de demandes : nous vérifions que c’est vous avec un ' +
    'code envoyé par e-mail.',
  requestLink: 'Aller à la page de demandes',
  complaint: 'Vous pouvez aussi saisir une autorité de protection des données.',
};

const fi: TransparencyTexts = {
  title: 'Miten käsittelemme tietojasi, kun otat meihin yhteyttä',
  intro: (c) => `${c} vastaa tässä kuvatuista tiedoista.`,
  contact: (c) => `Kysymykset tiedoistasi: ${c}.`,
  whatTitle: 'Mitä tallennamme',
  what: {
    contact: 'Nimesi, sähköpostiosoitteesi ja puhelinnumerosi, siltä osin kuin annat ne meille.',
    messages: 'Mitä kirjoitat meille ja mitä vastaamme, kaikissa kanavissa (chat, sähköposti, tekstiviesti, Slack).',
    files: 'Tiedostot, jotka lähetät meille tai me sinulle.',
    recordings: 'Puhelujen tallenteet, vain jos hyväksyt tallennuksen puhelun alussa.',
    metadata: 'Milloin ja missä kanavassa otit yhteyttä, ja asiasi tila.',
    consent: 'Mihin olet suostunut ja milloin, sekä tarkka teksti, jonka näit.',
  },
  whyTitle: 'Miksi',
  why: {
    support: 'Vastataksemme kysymyksiisi ja säilyttääksemme historian, jota tarvitsemme auttaaksemme sinua.',
    statistics:
      'Vain luvallasi: laskemme keskustelusi mukaan pseudonyymeihin tukitilastoihin. Pieniä ryhmiä ei koskaan näytetä.',
    recording: 'Vain suostumuksellasi: puhelujen tallennus laadun ja sovitun todentamiseksi.',
    bot:
      'Automaattinen avustaja voi vastata ensin ohjeartikkeleistamme. Se kertoo olevansa botti, voit pyytää ihmistä ' +
      'milloin tahansa, eikä se tee sinua koskevia päätöksiä.',
  },
  howLongTitle: 'Kuinka kauan',
  classes: {
    messages: 'Keskustelut',
    attachments: 'Tiedostot',
    recordings: 'Puhelutallenteet',
    inactive_contacts: 'Yhteystietosi viimeisen yhteydenoton jälkeen',
    bot_logs: 'Automaattisen avustajan lokit',
  },
  days: (n) => `${n} päivää`,
  untilErased: 'kunnes pyydät niiden poistamista',
  trash: 'Henkilökuntamme poistamat keskustelut (roskakorissa, josta ne voidaan vielä palauttaa)',
  whoTitle: 'Kuka muu ne näkee',
  staff: 'Tukitiimimme, vain niissä postilaatikoissa, joissa se työskentelee.',
  processor: (name, country) => `${name} (${country}), joka käsittelee niitä puolestamme.`,
  rightsTitle: 'Oikeutesi',
  rights: [
    'Saada kopio tiedoistasi, myös koneluettavassa muodossa.',
    'Saada virheelliset tiedot oikaistuksi.',
    'Saada tietosi poistetuksi, ellei laki velvoita meitä säilyttämään niitä.',
    'Rajoittaa niiden käyttöä tai vastustaa sitä.',
    'Peruuttaa suostumus milloin tahansa yhtä helposti kuin annoit sen.',
  ],
  howTo:
    'Käytä chatin tietosuojaosiota tai pyyntösivuamme: varmistamme sähköpostiin lähetettävällä koodilla, että kyse ' +
    'on sinusta.',
  requestLink: 'Siirry pyyntösivulle',
  complaint: 'Voit myös tehdä valituksen tietosuojaviranomaiselle.',
};

const sv: TransparencyTexts = {
  title: 'Så hanterar vi dina uppgifter när du kontaktar oss',
  intro: (c) => `${c} ansvarar för uppgifterna som beskrivs här.`,
  contact: (c) => `Frågor om dina uppgifter: ${c}.`,
  whatTitle: 'Vad vi sparar',
  what: {
    contact: 'Ditt namn, din e-postadress och ditt telefonnummer, i den mån du ger oss dem.',
    messages: 'Det du skriver till oss och det vi svarar, i alla kanaler (chatt, e-post, sms, Slack).',
    files: 'Filer som du skickar till oss eller vi till dig.',
    recordings: 'Inspelningar av samtal, bara om du godkänner inspelningen i början av samtalet.',
    metadata: 'När och i vilken kanal du kontaktade oss, och läget i ditt ärende.',
    consent: 'Vad du har samtyckt till och när, med den exakta text du såg.',
  },
  whyTitle: 'Varför',
  why: {
    support: 'För att besvara dina frågor och behålla den historik vi behöver för att hjälpa dig vidare.',
    statistics:
      'Bara med ditt tillstånd: för att räkna ditt samtal i pseudonym supportstatistik. Små grupper visas aldrig.',
    recording: 'Bara med ditt samtycke: inspelning av samtal för kvalitet och som bevis på vad som avtalats.',
    bot:
      'En automatisk assistent kan svara först utifrån våra hjälpartiklar. Den säger att den är en bot, du kan när ' +
      'som helst be om en människa, och den fattar inga beslut om dig.',
  },
  howLongTitle: 'Hur länge',
  classes: {
    messages: 'Samtal',
    attachments: 'Filer',
    recordings: 'Samtalsinspelningar',
    inactive_contacts: 'Dina kontaktuppgifter, efter din senaste kontakt',
    bot_logs: 'Loggar från den automatiska assistenten',
  },
  days: (n) => `${n} dagar`,
  untilErased: 'tills du ber oss radera dem',
  trash: 'Samtal som vår personal har raderat (i papperskorgen, varifrån de fortfarande kan återställas)',
  whoTitle: 'Vem mer som ser dem',
  staff: 'Vårt supportteam, bara för de inkorgar där de arbetar.',
  processor: (name, country) => `${name} (${country}), som behandlar dem för vår räkning.`,
  rightsTitle: 'Dina rättigheter',
  rights: [
    'Få en kopia av dina uppgifter, även i maskinläsbar form.',
    'Få felaktiga uppgifter rättade.',
    'Få dina uppgifter raderade, om inte lagen kräver att vi sparar dem.',
    'Få användningen begränsad, eller invända mot den.',
    'Återkalla ett samtycke när som helst, lika enkelt som du gav det.',
  ],
  howTo:
    'Använd integritetsdelen i chatten eller vår sida för förfrågningar: vi kontrollerar att det är du med en kod ' +
    'via e-post.',
  requestLink: 'Till sidan för förfrågningar',
  complaint: 'Du kan också klaga hos en dataskyddsmyndighet.',
};

export const TRANSPARENCY_TEXTS: Record<RequestLanguage, TransparencyTexts> = { en, de, fr, fi, sv };
