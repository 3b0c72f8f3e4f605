import type { PrivacyRequestKind, RefusalBasis } from '../../drizzle/schema/privacy-requests.ts';

/**
 * Everything the request desk says to a customer, in the five languages of the product (English is the fallback).
 * One module on purpose: the i18n catalog takes these over later as they are.
 */
export const requestLanguages = ['en', 'de', 'fr', 'fi', 'sv'] as const;
export type RequestLanguage = (typeof requestLanguages)[number];
export const asRequestLanguage = (tag: string | undefined): RequestLanguage => {
  const primary = (tag ?? '').toLowerCase().split(/[-_]/)[0];
  return (requestLanguages as readonly string[]).includes(primary ?? '') ? (primary as RequestLanguage) : 'en';
};

export type RequestTexts = {
  codeSubject: string;
  codeBody: (code: string, minutes: number) => string;
  kinds: Record<PrivacyRequestKind, string>;
  outcomeSubject: string;
  completed: (kind: string) => string;
  refused: (kind: string, basis: string) => string;
  bases: Record<RefusalBasis, string>;
  page: {
    title: string;
    intro: string;
    address: string;
    sendCode: string;
    codeSent: string;
    code: string;
    verify: string;
    choose: string;
    file: string;
    filed: (due: string) => string;
    invalid: string;
    language: string;
  };
};

const en: RequestTexts = {
  codeSubject: 'Your verification code',
  codeBody: (code, minutes) =>
    `Your code for the privacy request page is ${code}\n\nIt works once, for ${minutes} minutes. ` +
    'If you did not ask for it, ignore this mail: nothing happens without the code.\n',
  kinds: {
    access: 'a copy of your data',
    portability: 'your data in a machine-readable form',
    rectification: 'a correction of your data',
    erasure: 'the erasure of your data',
    restriction: 'a restriction of the processing of your data',
    objection: 'your objection to the processing of your data',
  },
  outcomeSubject: 'Your privacy request',
  completed: (kind) => `We have completed your request for ${kind}.\n`,
  refused: (kind, basis) =>
    `We cannot carry out your request for ${kind}: ${basis}\n\n` +
    'You may lodge a complaint with a data protection authority or seek a judicial remedy.\n',
  bases: {
    legal_hold: 'we are legally obliged to keep this data for a pending legal matter.',
    bookkeeping_duty: 'the law requires us to keep these records for bookkeeping.',
    identity_not_verified: 'we could not verify that the request comes from you.',
    manifestly_unfounded: 'the request is manifestly unfounded or excessive.',
    other_legal_obligation: 'another legal obligation requires us to keep this data.',
  },
  page: {
    title: 'Your privacy requests',
    intro:
      'Ask for a copy of your data, a correction, erasure, or restrict or object to its use. ' +
      'We first check that it is you: we send a code to an email address we already know for you.',
    address: 'Your email address',
    sendCode: 'Send me a code',
    codeSent: 'If we know this address, a code is on its way. It works for 15 minutes.',
    code: 'The code from the email',
    verify: 'Continue',
    choose: 'What would you like?',
    file: 'Send the request',
    filed: (due) => `Thank you: your request is registered. We answer by ${due} at the latest.`,
    invalid: 'The code is wrong, used or expired. Ask for a new one.',
    language: 'Language',
  },
};

const de: RequestTexts = {
  codeSubject: 'Ihr Bestätigungscode',
  codeBody: (code, minutes) =>
    `Ihr Code für die Seite für Datenschutzanfragen lautet ${code}\n\nEr gilt einmal, ${minutes} Minuten lang. ` +
    'Wenn Sie ihn nicht angefordert haben, ignorieren Sie diese E-Mail: Ohne den Code geschieht nichts.\n',
  kinds: {
    access: 'eine Kopie Ihrer Daten',
    portability: 'Ihre Daten in maschinenlesbarer Form',
    rectification: 'die Berichtigung Ihrer Daten',
    erasure: 'die Löschung Ihrer Daten',
    restriction: 'die Einschränkung der Verarbeitung Ihrer Daten',
    objection: 'Ihren Widerspruch gegen die Verarbeitung Ihrer Daten',
  },
  outcomeSubject: 'Ihre Datenschutzanfrage',
  completed: (kind) => `Wir haben Ihre Anfrage (${kind}) erledigt.\n`,
  refused: (kind, basis) =>
    `Wir können Ihre Anfrage (${kind}) nicht ausführen: ${basis}\n\n` +
    'Sie können sich bei einer Datenschutzaufsichtsbehörde beschweren oder einen gerichtlichen ' +
    'Rechtsbehelf einlegen.\n',
  bases: {
    legal_hold: 'Wir sind gesetzlich verpflichtet, diese Daten für ein laufendes Verfahren aufzubewahren.',
    bookkeeping_duty: 'Das Gesetz verpflichtet uns, diese Unterlagen für die Buchhaltung aufzubewahren.',
    identity_not_verified: 'Wir konnten nicht prüfen, dass die Anfrage von Ihnen stammt.',
    manifestly_unfounded: 'Die Anfrage ist offenkundig unbegründet oder exzessiv.',
    other_legal_obligation: 'Eine andere rechtliche Pflicht verlangt, dass wir diese Daten aufbewahren.',
  },
  page: {
    title: 'Ihre Datenschutzanfragen',
    intro:
      'Fordern Sie eine Kopie Ihrer Daten, eine Berichtigung oder Löschung an, oder schränken Sie die Nutzung ein ' +
      'bzw. widersprechen Sie ihr. Zuerst prüfen wir, dass Sie es sind: ' +
      'Wir senden einen Code an eine E-Mail-Adresse, ' +
      'die wir von Ihnen kennen.',
    address: 'Ihre E-Mail-Adresse',
    sendCode: 'Code senden',
    codeSent: 'Wenn wir diese Adresse kennen, ist ein Code unterwegs. Er gilt 15 Minuten.',
    code: 'Der Code aus der E-Mail',
    verify: 'Weiter',
    choose: 'Was möchten Sie?',
    file: 'Anfrage senden',
    filed: (due) => `Danke: Ihre Anfrage ist registriert. Wir antworten spätestens bis ${due}.`,
    invalid: 'Der Code ist falsch, verbraucht oder abgelaufen. Fordern Sie einen neuen an.',
    language: 'Sprache',
  },
};

const fr: RequestTexts = {
  codeSubject: 'Votre code de vérification',
  codeBody: (code, minutes) =>
    `Votre code pour la page des demandes de confidentialité est ${code}\n\nIl est valable une fois, pendant ` +
    `${minutes} minutes. Si vous ne l’avez pas demandé, ignorez ce message : rien ne se passe sans le code.\n`,
  kinds: {
    access: 'une copie de vos données',
    portability: 'vos données dans un format lisible par machine',
    rectification: 'la rectification de vos données',
    erasure: 'l’effacement de vos données',
    restriction: 'la limitation du traitement de vos données',
    objection: 'votre opposition au traitement de vos données',
  },
  outcomeSubject: 'Votre demande de confidentialité',
  completed: (kind) => `Nous avons traité votre demande (${kind}).\n`,
  refused: (kind, basis) =>
    `Nous ne pouvons pas donner suite à votre demande (${kind}) : ${basis}\n\n` +
    'Vous pouvez introduire une réclamation auprès d’une autorité de protection des données ou former ' +
    'un recours juridictionnel.\n',
  bases: {
    legal_hold: 'la loi nous oblige à conserver ces données pour une procédure en cours.',
    bookkeeping_duty: 'la loi nous oblige à conserver ces pièces comptables.',
    identity_not_verified: 'nous n’avons pas pu vérifier que la demande vient de vous.',
    manifestly_unfounded: 'la demande est manifestement infondée ou excessive.',
    other_legal_obligation: 'une autre obligation légale nous impose de conserver ces données.',
  },
  page: {
    title: 'Vos demandes de confidentialité',
    intro:
      'Demandez une copie de vos données, une rectification, un effacement, ou limitez leur usage ou opposez-vous-y. ' +
      'Nous vérifions d’abord que c’est bien vous : nous envoyons un code à une adresse e-mail que nous connaissons.',
    address: 'Votre adresse e-mail',
    sendCode: 'M’envoyer un code',
    codeSent: 'Si nous connaissons cette adresse, un code est en route. Il est valable 15 minutes.',
    code: 'Le code reçu par e-mail',
    verify: 'Continuer',
    choose: 'Que souhaitez-vous ?',
    file: 'Envoyer la demande',
    filed: (due) => `Merci : votre demande est enregistrée. Nous répondons au plus tard le ${due}.`,
    invalid: 'Le code est faux, déjà utilisé ou expiré. Demandez-en un nouveau.',
    language: 'Langue',
  },
};

const fi: RequestTexts = {
  codeSubject: 'Vahvistuskoodisi',
  codeBody: (code, minutes) =>
    `Koodisi tietosuojapyyntösivulle on ${code}\n\nSe toimii kerran, ${minutes} minuutin ajan. ` +
    'Jos et pyytänyt sitä, voit jättää viestin huomiotta: ilman koodia mitään ei tapahdu.\n',
  kinds: {
    access: 'kopio tiedoistasi',
    portability: 'tietosi koneluettavassa muodossa',
    rectification: 'tietojesi oikaisu',
    erasure: 'tietojesi poistaminen',
    restriction: 'tietojesi käsittelyn rajoittaminen',
    objection: 'vastustuksesi tietojesi käsittelylle',
  },
  outcomeSubject: 'Tietosuojapyyntösi',
  completed: (kind) => `Pyyntösi (${kind}) on käsitelty.\n`,
  refused: (kind, basis) =>
    `Emme voi toteuttaa pyyntöäsi (${kind}): ${basis}\n\n` +
    'Voit tehdä valituksen tietosuojaviranomaiselle tai hakea muutosta tuomioistuimelta.\n',
  bases: {
    legal_hold: 'laki velvoittaa meidät säilyttämään nämä tiedot vireillä olevaa asiaa varten.',
    bookkeeping_duty: 'kirjanpitolaki velvoittaa meidät säilyttämään nämä tiedot.',
    identity_not_verified: 'emme voineet varmistaa, että pyyntö tulee sinulta.',
    manifestly_unfounded: 'pyyntö on ilmeisen perusteeton tai kohtuuton.',
    other_legal_obligation: 'muu lakisääteinen velvoite edellyttää tietojen säilyttämistä.',
  },
  page: {
    title: 'Tietosuojapyyntösi',
    intro:
      'Pyydä kopio tiedoistasi, oikaisua tai poistamista, tai rajoita tai vastusta niiden käyttöä. ' +
      'Varmistamme ensin, että kyse on sinusta: lähetämme koodin sähköpostiosoitteeseen, jonka tunnemme.',
    address: 'Sähköpostiosoitteesi',
    sendCode: 'Lähetä minulle koodi',
    codeSent: 'Jos tunnemme tämän osoitteen, koodi on tulossa. Se on voimassa 15 minuuttia.',
    code: 'Sähköpostissa saamasi koodi',
    verify: 'Jatka',
    choose: 'Mitä haluat?',
    file: 'Lähetä pyyntö',
    filed: (due) => `Kiitos: pyyntösi on kirjattu. Vastaamme viimeistään ${due}.`,
    invalid: 'Koodi on väärä, käytetty tai vanhentunut. Pyydä uusi.',
    language: 'Kieli',
  },
};

const sv: RequestTexts = {
  codeSubject: 'Din verifieringskod',
  codeBody: (code, minutes) =>
    `Din kod för sidan för integritetsförfrågningar är ${code}\n\nDen fungerar en gång, i ${minutes} minuter. ` +
    'Om du inte bad om den kan du bortse från mejlet: utan koden händer ingenting.\n',
  kinds: {
    access: 'en kopia av dina uppgifter',
    portability: 'dina uppgifter i maskinläsbar form',
    rectification: 'rättelse av dina uppgifter',
    erasure: 'radering av dina uppgifter',
    restriction: 'begränsning av behandlingen av dina uppgifter',
    objection: 'din invändning mot behandlingen av dina uppgifter',
  },
  outcomeSubject: 'Din integritetsförfrågan',
  completed: (kind) => `Vi har genomfört din begäran (${kind}).\n`,
  refused: (kind, basis) =>
    `Vi kan inte genomföra din begäran (${kind}): ${basis}\n\n` +
    'Du kan lämna in ett klagomål till en dataskyddsmyndighet eller vända dig till domstol.\n',
  bases: {
    legal_hold: 'lagen kräver att vi sparar uppgifterna för ett pågående rättsligt ärende.',
    bookkeeping_duty: 'bokföringslagen kräver att vi sparar dessa uppgifter.',
    identity_not_verified: 'vi kunde inte kontrollera att begäran kommer från dig.',
    manifestly_unfounded: 'begäran är uppenbart ogrundad eller orimlig.',
    other_legal_obligation: 'en annan rättslig förpliktelse kräver att vi sparar uppgifterna.',
  },
  page: {
    title: 'Dina integritetsförfrågningar',
    intro:
      'Begär en kopia av dina uppgifter, rättelse eller radering, eller begränsa eller invänd mot användningen. ' +
      'Först kontrollerar vi att det är du: vi skickar en kod till en e-postadress som vi känner till.',
    address: 'Din e-postadress',
    sendCode: 'Skicka en kod',
    codeSent: 'Om vi känner till adressen är en kod på väg. Den gäller i 15 minuter.',
    code: 'Koden från mejlet',
    verify: 'Fortsätt',
    choose: 'Vad vill du göra?',
    file: 'Skicka begäran',
    filed: (due) => `Tack: din begäran är registrerad. Vi svarar senast ${due}.`,
    invalid: 'Koden är fel, redan använd eller har gått ut. Be om en ny.',
    language: 'Språk',
  },
};

const TEXTS: Record<RequestLanguage, RequestTexts> = { en, de, fr, fi, sv };
export const requestTexts = (language: string): RequestTexts => TEXTS[asRequestLanguage(language)];

/** The mail that tells the person the outcome of their request, in their language. */
export function outcomeMail(
  language: string,
  kind: PrivacyRequestKind,
  outcome: { kind: 'fulfilled' } | { kind: 'refused'; basis: RefusalBasis },
): { subject: string; text: string } {
  const t = requestTexts(language);
  const text =
    outcome.kind === 'fulfilled' ? t.completed(t.kinds[kind]) : t.refused(t.kinds[kind], t.bases[outcome.basis]);
  return { subject: t.outcomeSubject, text };
}
