/**
 * The demo shop's knowledge base (Acme Outdoor: tents, packs, boots), written for it in English, German,
 * French, Finnish and Swedish. Every fact an answer states is one of the shop's policies below, the same in
 * every language; nothing is about a particular customer except the variables, which the bot fills only from
 * what it knows (server/bot/answer-variables.ts):
 *   {{orderNumber}}   the order number the customer wrote in this conversation; an answer that needs it and
 *                     does not have it is not sent: the bot asks for the number first;
 *   {{#contactName}}…{{/contactName}}  shown only when the contact's name is known, with {{contactName}} in it.
 *
 * The shop's policies (one place; test/unit/demo-kb.test.ts checks every number an answer states is here):
 *   shipping: EU/EEA countries, Norway, Switzerland and the UK; standard 2–4 business days in Germany,
 *     3–7 elsewhere; express 1–2 business days;
 *   orders: changed or cancelled in the account until they ship;
 *   returns: 30 days from delivery, free return label from the order page, refund 3–5 business days after
 *     the parcel reaches the warehouse;
 *   damaged or faulty: order number and a photo; replacement or refund, nothing to send back;
 *     2-year legal guarantee on every product;
 *   payment: cards and PayPal, charged when the order ships;
 *   password reset link: valid 60 minutes;
 *   privacy requests: free, answered within one month (GDPR Art. 12(3)).
 */
export type DemoLanguage = 'en' | 'de' | 'fr' | 'fi' | 'sv';
export const DEMO_LANGUAGES: DemoLanguage[] = ['en', 'de', 'fr', 'fi', 'sv'];

export type DemoArticle = { key: string; title: string; body: string; language: DemoLanguage; questions: string[] };

type Entry = { title: string; body: string; questions: string[] };
const KB: Record<string, Record<DemoLanguage, Entry>> = {
  shipping: {
    en: {
      title: 'Shipping times and countries',
      body:
        'We ship to all EU/EEA countries, Norway, Switzerland and the UK. ' +
        'Standard delivery takes 2–4 business days in Germany and 3–7 business days elsewhere. ' +
        'Express delivery (1–2 business days) is available at checkout.',
      questions: [
        'How long does shipping take?',
        'Do you ship to Norway?',
        'Which countries do you deliver to?',
        'How long will delivery take to Austria?',
        'Do you offer express shipping?',
        'Can I get my order faster?',
        'Do you deliver to the UK?',
        'When will my parcel arrive if I order today?',
        'What are your delivery times?',
        'how many days does standard shipping take to finland',
        'Do you ship outside Germany?',
        'Do you deliver to Spain?',
        'how quick is express delivery',
        'Is there international shipping?',
        'when will I receive my stuff if I order now',
        'Do you ship to other countries?',
      ],
    },
    de: {
      title: 'Lieferzeiten und Lieferländer',
      body:
        'Wir liefern in alle Länder der EU und des EWR, in die Schweiz, nach Norwegen und ins Vereinigte Königreich. ' +
        'Die Standardlieferung dauert innerhalb Deutschlands 2–4 Werktage, in andere Länder 3–7 Werktage. ' +
        'Expressversand (1–2 Werktage) können Sie an der Kasse wählen.',
      questions: [
        'Wie lange dauert der Versand?',
        'Liefert ihr auch in die Schweiz?',
        'In welche Länder liefern Sie?',
        'Wie lange dauert die Lieferung nach Österreich?',
        'Gibt es Expressversand?',
        'Kann ich meine Bestellung schneller bekommen?',
        'Wann kommt mein Paket an, wenn ich heute bestelle?',
        'Versendet ihr nach Großbritannien?',
        'Wie schnell seid ihr mit dem Versand?',
        'Was sind eure Lieferzeiten?',
        'Liefert ihr auch ins Ausland?',
        'Schickt ihr auch nach Spanien?',
        'Wie viele Tage dauert der Versand nach Frankreich?',
        'Gibt es eine Express-Option?',
        'Wann ist meine Bestellung da, wenn ich jetzt bestelle?',
        'Wie lange ist ein Paket unterwegs?',
      ],
    },
    fr: {
      title: 'Délais et pays de livraison',
      body:
        "Nous livrons dans tous les pays de l'UE et de l'EEE, en Norvège, en Suisse et au Royaume-Uni. " +
        'La livraison standard prend 2 à 4 jours ouvrés en Allemagne et 3 à 7 jours ouvrés ailleurs. ' +
        'La livraison express (1 à 2 jours ouvrés) peut être choisie lors du paiement.',
      questions: [
        'Combien de temps prend la livraison ?',
        'Livrez-vous en Suisse ?',
        'Dans quels pays livrez-vous ?',
        'Quel est le délai de livraison pour la Belgique ?',
        'Proposez-vous une livraison express ?',
        'Est-ce que je peux recevoir ma commande plus vite ?',
        "Si je commande aujourd'hui, quand vais-je recevoir mon colis ?",
        'Vous expédiez au Royaume-Uni ?',
        'Vous livrez en combien de temps ?',
        'Combien de jours pour une livraison en Finlande ?',
        "Vous livrez hors d'Allemagne ?",
        'Vous expédiez en Espagne ?',
        'La livraison express, ça prend combien de temps ?',
        "Livraison à l'international possible ?",
        'Si je commande maintenant, je reçois quand ?',
        'Combien de temps met un colis pour arriver ?',
      ],
    },
    fi: {
      title: 'Toimitusajat ja -maat',
      body:
        'Toimitamme kaikkiin EU- ja ETA-maihin sekä Norjaan, Sveitsiin ja Isoon-Britanniaan. ' +
        'Vakiotoimitus kestää Saksaan 2–4 arkipäivää ja muihin maihin 3–7 arkipäivää. ' +
        'Pikatoimituksen (1–2 arkipäivää) voi valita kassalla.',
      questions: [
        'Kauanko toimitus kestää?',
        'Toimitatteko Suomeen?',
        'Mihin maihin toimitatte?',
        'Kuinka nopeasti paketti tulee?',
        'Onko teillä pikatoimitusta?',
        'Saanko tilauksen nopeammin?',
        'Milloin paketti on perillä, jos tilaan tänään?',
        'Toimitatteko Norjaan?',
        'Mitkä ovat toimitusajat?',
        'Montako päivää vakiotoimitus kestää Ruotsiin?',
        'Toimitatteko Saksan ulkopuolelle?',
        'Lähetättekö Espanjaan?',
        'Kuinka nopea pikatoimitus on?',
        'Onko kansainvälistä toimitusta?',
        'Milloin saan tavarat, jos tilaan nyt?',
        'Kuinka kauan toimituksessa kestää?',
      ],
    },
    sv: {
      title: 'Leveranstider och leveransländer',
      body:
        'Vi levererar till alla EU- och EES-länder samt till Norge, Schweiz och Storbritannien. ' +
        'Standardleverans tar 2–4 arbetsdagar inom Tyskland och 3–7 arbetsdagar till andra länder. ' +
        'Expressleverans (1–2 arbetsdagar) kan du välja i kassan.',
      questions: [
        'Hur lång är leveranstiden?',
        'Levererar ni till Sverige?',
        'Vilka länder skickar ni till?',
        'Hur snabbt kommer paketet?',
        'Har ni expressleverans?',
        'Kan jag få min beställning snabbare?',
        'När kommer paketet om jag beställer idag?',
        'Skickar ni till Norge?',
        'Vilka leveranstider har ni?',
        'Hur många dagar tar frakten till Finland?',
        'Skickar ni utanför Tyskland?',
        'Levererar ni till Spanien?',
        'Hur snabb är expressfrakten?',
        'Skickar ni internationellt?',
        'När får jag mina saker om jag beställer nu?',
        'Hur länge är ett paket på väg?',
      ],
    },
  },
  tracking: {
    en: {
      title: 'Where is my order?',
      body:
        'When your order ships we send a shipping confirmation email with a tracking link; it shows where your ' +
        'parcel is. If it has not arrived within the delivery time for your country, or the tracking has not ' +
        'moved for several days, tell us your order number and a colleague will check it with the carrier.',
      questions: [
        'Where is my order?',
        'My package has not arrived yet',
        'How can I track my parcel?',
        'I did not get a tracking number',
        'My order is late',
        'Has my order been shipped?',
        'Tracking has not updated for days',
        'When will my package be delivered?',
        'Where is my package?',
        'my parcel is late',
        'order not received yet',
        'The tracking number does not work',
        'What is the status of my delivery?',
        'I ordered a week ago and nothing has arrived',
        'Is my order on its way?',
        'where is my stuff',
      ],
    },
    de: {
      title: 'Wo ist meine Bestellung?',
      body:
        'Sobald Ihre Bestellung verschickt ist, erhalten Sie eine Versandbestätigung per E-Mail mit einem ' +
        'Sendungsverfolgungslink, der zeigt, wo Ihr Paket gerade ist. Ist es nach der Lieferzeit für Ihr Land ' +
        'noch nicht da oder bewegt sich die Sendungsverfolgung seit Tagen nicht, nennen Sie uns Ihre ' +
        'Bestellnummer: Eine Kollegin oder ein Kollege klärt das mit dem Paketdienst.',
      questions: [
        'Wo ist meine Bestellung?',
        'Mein Paket ist noch nicht angekommen',
        'Wie kann ich meine Sendung verfolgen?',
        'Ich habe keine Sendungsnummer bekommen',
        'Meine Lieferung ist überfällig',
        'Wurde meine Bestellung schon verschickt?',
        'Die Sendungsverfolgung zeigt seit Tagen nichts Neues',
        'Wann wird mein Paket zugestellt?',
        'Wo ist mein Paket?',
        'Meine Bestellung ist noch nicht angekommen',
        'Sendungsnummer funktioniert nicht',
        'Status meiner Lieferung?',
        'Ich habe vor einer Woche bestellt und noch nichts bekommen',
        'Ist meine Bestellung schon unterwegs?',
        'Paket kommt nicht',
        'Meine Sendung ist nicht angekommen',
      ],
    },
    fr: {
      title: 'Où est ma commande ?',
      body:
        "Dès que votre commande est expédiée, vous recevez un e-mail de confirmation d'expédition avec un lien " +
        "de suivi qui indique où se trouve votre colis. S'il n'est pas arrivé dans le délai de livraison de " +
        "votre pays, ou si le suivi n'a pas bougé depuis plusieurs jours, donnez-nous votre numéro de commande : " +
        'un collègue vérifiera auprès du transporteur.',
      questions: [
        'Où est ma commande ?',
        "Mon colis n'est toujours pas arrivé",
        'Comment suivre mon colis ?',
        "Je n'ai pas reçu de numéro de suivi",
        'Ma commande est en retard',
        'Ma commande a-t-elle été expédiée ?',
        "Le suivi n'a pas changé depuis des jours",
        'Quand mon colis sera-t-il livré ?',
        'Où est mon colis ?',
        'Mon colis est en retard',
        'Commande pas encore reçue',
        'Le numéro de suivi ne marche pas',
        'Quel est le statut de ma livraison ?',
        "J'ai commandé il y a une semaine et rien n'est arrivé",
        'Ma commande est-elle en route ?',
        "Ma livraison n'est pas arrivée",
      ],
    },
    fi: {
      title: 'Missä tilaukseni on?',
      body:
        'Kun tilauksesi lähtee, saat sähköpostiin toimitusvahvistuksen, jossa on seurantalinkki: siitä näet, ' +
        'missä paketti on. Jos paketti ei ole perillä maasi toimitusajassa tai seurantatieto ei ole muuttunut ' +
        'moneen päivään, kerro meille tilausnumerosi, niin kollegamme selvittää asian kuljetusyhtiön kanssa.',
      questions: [
        'Missä tilaukseni on?',
        'Pakettini ei ole vielä tullut',
        'Miten voin seurata pakettiani?',
        'En saanut seurantanumeroa',
        'Tilaukseni on myöhässä',
        'Onko tilaukseni jo lähetetty?',
        'Seuranta ei ole päivittynyt moneen päivään',
        'Milloin pakettini toimitetaan?',
        'Missä pakettini on?',
        'Pakettini on myöhässä',
        'Tilausta ei ole vielä tullut',
        'Seurantanumero ei toimi',
        'Mikä on toimitukseni tila?',
        'Tilasin viikko sitten eikä mitään ole tullut',
        'Onko tilaukseni matkalla?',
        'Lähetykseni ei ole tullut perille',
      ],
    },
    sv: {
      title: 'Var är min beställning?',
      body:
        'När din beställning skickas får du en leveransbekräftelse via e-post med en spårningslänk som visar ' +
        'var paketet är. Om det inte har kommit fram inom leveranstiden för ditt land, eller om spårningen inte ' +
        'har ändrats på flera dagar, skicka oss ditt ordernummer så kontrollerar en kollega saken med fraktbolaget.',
      questions: [
        'Var är min beställning?',
        'Mitt paket har inte kommit än',
        'Hur spårar jag mitt paket?',
        'Jag fick inget spårningsnummer',
        'Min beställning är försenad',
        'Har min order skickats?',
        'Spårningen har inte uppdaterats på flera dagar',
        'När levereras mitt paket?',
        'Var är mitt paket?',
        'Mitt paket är sent',
        'Har inte fått min order än',
        'Spårningsnumret fungerar inte',
        'Vad är status på min leverans?',
        'Jag beställde för en vecka sedan och inget har kommit',
        'Är min beställning på väg?',
        'Min leverans har inte kommit fram',
      ],
    },
  },
  change: {
    en: {
      title: 'Changing or cancelling an order',
      body:
        '{{#contactName}}Thanks, {{contactName}}. {{/contactName}}You can change or cancel order {{orderNumber}} ' +
        'yourself until it ships: sign in, open "My orders", choose the order and click "Change" or "Cancel order". ' +
        'If those buttons are gone, the parcel is already on its way; you can still return it within 30 days of ' +
        'delivery.',
      questions: [
        'I want to cancel my order',
        'How do I cancel an order?',
        'Can I change my order?',
        'I need to change the delivery address of my order',
        'Can I add an item to my order?',
        'I ordered the wrong size, can I change it before it ships?',
        'Please cancel order 48213',
        'Can I still change my order?',
        'I want to change my order',
        'cancel order',
        'Can I change the shipping address?',
        'I ordered the wrong colour',
        'Can I take an item out of my order?',
        'I placed an order by mistake',
        'How do I edit an order I already placed?',
        'Can I still cancel before it ships?',
      ],
    },
    de: {
      title: 'Bestellung ändern oder stornieren',
      body:
        '{{#contactName}}Danke, {{contactName}}. {{/contactName}}Bestellung {{orderNumber}} können Sie selbst ' +
        'ändern oder stornieren, bis sie verschickt ist: Melden Sie sich an, öffnen Sie „Meine Bestellungen“, ' +
        'wählen Sie die Bestellung und klicken Sie auf „Ändern“ oder „Bestellung stornieren“. Fehlen diese ' +
        'Schaltflächen, ist das Paket schon unterwegs; Sie können es dann innerhalb von 30 Tagen nach der ' +
        'Lieferung zurückschicken.',
      questions: [
        'Ich möchte meine Bestellung stornieren',
        'Wie storniere ich eine Bestellung?',
        'Kann ich meine Bestellung noch ändern?',
        'Ich muss die Lieferadresse meiner Bestellung ändern',
        'Kann ich noch etwas zu meiner Bestellung hinzufügen?',
        'Ich habe die falsche Größe bestellt, kann ich das vor dem Versand ändern?',
        'Bitte stornieren Sie Bestellung 48213',
        'Bestellung rückgängig machen',
        'Ich möchte meine Bestellung ändern',
        'Wie kann ich meinen Auftrag stornieren?',
        'Ich habe die falsche Farbe bestellt',
        'Kann ich etwas aus meiner Bestellung rausnehmen?',
        'Ich habe aus Versehen bestellt',
        'Wie bearbeite ich eine bereits aufgegebene Bestellung?',
        'Bestellung abbrechen',
        'Kann ich noch was an meiner Bestellung ändern, bevor sie rausgeht?',
      ],
    },
    fr: {
      title: 'Modifier ou annuler une commande',
      body:
        '{{#contactName}}Merci, {{contactName}}. {{/contactName}}Vous pouvez modifier ou annuler la commande ' +
        "{{orderNumber}} vous-même tant qu'elle n'est pas expédiée : connectez-vous, ouvrez « Mes commandes », " +
        'choisissez la commande et cliquez sur « Modifier » ou « Annuler la commande ». Si ces boutons ont ' +
        'disparu, le colis est déjà en route ; vous pourrez toujours le retourner dans les 30 jours suivant ' +
        'la livraison.',
      questions: [
        'Je veux annuler ma commande',
        'Comment annuler une commande ?',
        'Puis-je modifier ma commande ?',
        "Je dois changer l'adresse de livraison de ma commande",
        'Est-ce que je peux ajouter un article à ma commande ?',
        "J'ai commandé la mauvaise taille, puis-je la changer avant l'expédition ?",
        'Merci d’annuler la commande 48213',
        'Je peux encore modifier ma commande ?',
        'Je veux modifier ma commande',
        'annulation de commande',
        "J'ai commandé la mauvaise couleur",
        "J'ai passé commande par erreur",
        'Comment modifier une commande déjà passée ?',
        'Je peux encore annuler ?',
        'Changer la quantité dans ma commande',
        "Je peux encore changer quelque chose avant l'envoi ?",
      ],
    },
    fi: {
      title: 'Tilauksen muuttaminen tai peruminen',
      body:
        '{{#contactName}}Kiitos, {{contactName}}. {{/contactName}}Voit muuttaa tai perua tilauksen ' +
        '{{orderNumber}} itse niin kauan kuin sitä ei ole lähetetty: kirjaudu sisään, avaa ”Omat tilaukset”, ' +
        'valitse tilaus ja napsauta ”Muuta” tai ”Peru tilaus”. Jos painikkeita ei enää ole, paketti on jo ' +
        'matkalla; voit silti palauttaa sen 30 päivän kuluessa toimituksesta.',
      questions: [
        'Haluan perua tilaukseni',
        'Miten peruutan tilauksen?',
        'Voinko muuttaa tilaustani?',
        'Minun täytyy vaihtaa tilaukseni toimitusosoite',
        'Voinko lisätä tuotteen tilaukseeni?',
        'Tilasin väärän koon, voinko vaihtaa sen ennen lähetystä?',
        'Perukaa tilaus 48213',
        'Voiko tilausta vielä muuttaa?',
        'Haluan muuttaa tilaustani',
        'tilauksen peruutus',
        'Tilasin väärän värin',
        'Tein tilauksen vahingossa',
        'Miten muokkaan jo tehtyä tilausta?',
        'Voinko vielä perua?',
        'Voiko tilauksen määrää muuttaa?',
        'Voinko muuttaa jotain ennen kuin tilaus lähtee?',
      ],
    },
    sv: {
      title: 'Ändra eller avbeställa en order',
      body:
        '{{#contactName}}Tack, {{contactName}}. {{/contactName}}Du kan själv ändra eller avbeställa order ' +
        '{{orderNumber}} tills den har skickats: logga in, öppna ”Mina beställningar”, välj ordern och klicka på ' +
        '”Ändra” eller ”Avbeställ”. Om knapparna inte finns kvar är paketet redan på väg; du kan fortfarande ' +
        'returnera det inom 30 dagar efter leveransen.',
      questions: [
        'Jag vill avbeställa min order',
        'Hur avbeställer jag en beställning?',
        'Kan jag ändra min beställning?',
        'Jag behöver ändra leveransadressen på min order',
        'Kan jag lägga till en vara i min beställning?',
        'Jag beställde fel storlek, kan jag ändra det innan den skickas?',
        'Avbeställ order 48213, tack',
        'Går det fortfarande att ändra ordern?',
        'Jag vill ändra min order',
        'avbeställning',
        'Jag beställde fel färg',
        'Jag råkade beställa av misstag',
        'Hur redigerar jag en order jag redan lagt?',
        'Kan jag fortfarande avbeställa?',
        'Ändra antal i min beställning',
        'Kan jag ändra något innan ordern skickas?',
      ],
    },
  },
  returns: {
    en: {
      title: 'Returns and refunds',
      body:
        'You can return unused items within 30 days of delivery for a full refund. ' +
        'Start a return from your order page to print a free return label. ' +
        'Refunds reach your account 3–5 business days after the parcel arrives at our warehouse.',
      questions: [
        'How do I return an item?',
        'Can I get a refund?',
        'Where is my return label?',
        'What is your return policy?',
        'How long do I have to send something back?',
        'When will I get my money back?',
        'Is the return shipping free?',
        'I want to return my boots',
        'I want to send my jacket back',
        'How do returns work?',
        'Do I get a full refund?',
        'Is there a return period?',
        'refund status',
        'I sent my return, where is my refund?',
        'Is returning free of charge?',
        'how to return a product for a refund',
      ],
    },
    de: {
      title: 'Rücksendung und Erstattung',
      body:
        'Unbenutzte Artikel können Sie innerhalb von 30 Tagen nach der Lieferung zurückschicken und erhalten ' +
        'den vollen Kaufpreis zurück. Starten Sie die Rücksendung auf Ihrer Bestellseite und drucken Sie das ' +
        'kostenlose Rücksendeetikett aus. Die Erstattung ist 3–5 Werktage, nachdem das Paket in unserem Lager ' +
        'angekommen ist, auf Ihrem Konto.',
      questions: [
        'Wie kann ich einen Artikel zurückschicken?',
        'Bekomme ich mein Geld zurück?',
        'Wo finde ich das Rücksendeetikett?',
        'Wie sind eure Rückgabebedingungen?',
        'Wie lange habe ich Zeit für eine Rücksendung?',
        'Wann bekomme ich die Erstattung?',
        'Ist die Rücksendung kostenlos?',
        'Ich möchte meine Wanderschuhe zurückgeben',
        'Ich möchte einen Rucksack retournieren',
        'Wie funktioniert die Retoure?',
        'Bekomme ich den vollen Preis erstattet?',
        'Gibt es eine Rückgabefrist?',
        'Stand meiner Erstattung?',
        'Ich habe meine Rücksendung abgeschickt, wo bleibt das Geld?',
        'Kostet die Rücksendung etwas?',
        'Retoure anmelden',
      ],
    },
    fr: {
      title: 'Retours et remboursements',
      body:
        'Vous pouvez retourner les articles non utilisés dans les 30 jours suivant la livraison et être ' +
        "remboursé intégralement. Lancez le retour depuis la page de votre commande pour imprimer l'étiquette " +
        'de retour gratuite. Le remboursement arrive sur votre compte 3 à 5 jours ouvrés après la réception du ' +
        'colis dans notre entrepôt.',
      questions: [
        'Comment retourner un article ?',
        'Puis-je être remboursé ?',
        "Où trouver l'étiquette de retour ?",
        'Quelle est votre politique de retour ?',
        'Combien de temps ai-je pour renvoyer un article ?',
        'Quand serai-je remboursé ?',
        'Le retour est-il gratuit ?',
        'Je voudrais renvoyer mes chaussures de randonnée',
        'Je veux renvoyer mon sac à dos',
        'Comment fonctionnent les retours ?',
        'Est-ce que je suis remboursé intégralement ?',
        'Quel est le délai pour un retour ?',
        'Où en est mon remboursement ?',
        "J'ai envoyé mon retour, quand suis-je remboursé ?",
        'Le renvoi est-il payant ?',
        'Je veux faire un retour',
      ],
    },
    fi: {
      title: 'Palautukset ja hyvitykset',
      body:
        'Voit palauttaa käyttämättömät tuotteet 30 päivän kuluessa toimituksesta ja saat koko kauppahinnan ' +
        'takaisin. Aloita palautus tilaussivultasi ja tulosta maksuton palautustarra. Hyvitys näkyy tililläsi ' +
        '3–5 arkipäivän kuluttua siitä, kun paketti on saapunut varastollemme.',
      questions: [
        'Miten palautan tuotteen?',
        'Saanko rahani takaisin?',
        'Mistä löydän palautustarran?',
        'Millaiset palautusehdot teillä on?',
        'Kuinka kauan minulla on aikaa palauttaa tuote?',
        'Milloin saan hyvityksen?',
        'Onko palautus ilmainen?',
        'Haluan palauttaa vaelluskengät',
        'Haluan lähettää repun takaisin',
        'Miten palautukset toimivat?',
        'Saanko koko summan takaisin?',
        'Mikä on palautusaika?',
        'Missä vaiheessa hyvitykseni on?',
        'Lähetin palautuksen, missä rahani ovat?',
        'Maksaako palautus jotain?',
        'Haluan tehdä palautuksen',
      ],
    },
    sv: {
      title: 'Returer och återbetalning',
      body:
        'Du kan returnera oanvända varor inom 30 dagar efter leveransen och få hela beloppet tillbaka. ' +
        'Starta returen från din ordersida och skriv ut den kostnadsfria returetiketten. Återbetalningen finns ' +
        'på ditt konto 3–5 arbetsdagar efter att paketet har kommit fram till vårt lager.',
      questions: [
        'Hur returnerar jag en vara?',
        'Kan jag få pengarna tillbaka?',
        'Var hittar jag returetiketten?',
        'Vilka returvillkor har ni?',
        'Hur lång tid har jag på mig att skicka tillbaka något?',
        'När får jag min återbetalning?',
        'Är returen gratis?',
        'Jag vill returnera mina kängor',
        'Jag vill skicka tillbaka min ryggsäck',
        'Hur fungerar returer?',
        'Får jag tillbaka hela summan?',
        'Hur lång är returtiden?',
        'Hur går det med min återbetalning?',
        'Jag har skickat min retur, var är pengarna?',
        'Kostar det något att returnera?',
        'Jag vill göra en retur',
      ],
    },
  },
  sizes: {
    en: {
      title: 'Finding your size',
      body:
        'Every product page has a size chart with body measurements in centimetres. If you are between two ' +
        'sizes of boots, take the larger one: hiking socks are thicker than everyday socks. If something does ' +
        'not fit, you can exchange it for free through a return within 30 days of delivery.',
      questions: [
        'What size should I order?',
        'Do your boots run small?',
        'Where is the size chart?',
        'I am between two sizes, which one should I take?',
        'How do I know which jacket size fits me?',
        'Can I exchange for a different size?',
        'The shoes are too small',
        'Is there a size guide?',
        'Which size do I need?',
        'size advice for boots',
        'Do your sizes run large?',
        'The jacket is too big',
        'How do I measure myself?',
        'What shoe size should I pick?',
        'I need a bigger size',
        'Help me choose a size',
      ],
    },
    de: {
      title: 'Die richtige Größe finden',
      body:
        'Auf jeder Produktseite finden Sie eine Größentabelle mit Körpermaßen in Zentimetern. Liegen Sie bei ' +
        'Schuhen zwischen zwei Größen, nehmen Sie die größere: Wandersocken sind dicker als normale Socken. Passt ' +
        'etwas nicht, können Sie es innerhalb von 30 Tagen nach der Lieferung über eine Rücksendung kostenlos ' +
        'umtauschen.',
      questions: [
        'Welche Größe soll ich bestellen?',
        'Fallen eure Schuhe klein aus?',
        'Wo finde ich die Größentabelle?',
        'Ich liege zwischen zwei Größen, welche soll ich nehmen?',
        'Welche Jackengröße passt mir?',
        'Kann ich gegen eine andere Größe umtauschen?',
        'Die Schuhe sind zu klein',
        'Gibt es eine Größenberatung?',
        'Welche Größe brauche ich?',
        'Größenberatung für Wanderschuhe',
        'Sind die Größen eher klein oder normal?',
        'Das Shirt ist mir zu weit',
        'Wo finde ich die Körpermaße für die Größen?',
        'Welche Schuhgröße soll ich nehmen?',
        'Ich brauche eine Nummer größer',
        'Welche Größe passt bei eurer Kleidung?',
      ],
    },
    fr: {
      title: 'Trouver sa taille',
      body:
        'Chaque fiche produit comporte un guide des tailles avec les mensurations en centimètres. Si vous ' +
        'hésitez entre deux pointures de chaussures, prenez la plus grande : les chaussettes de randonnée sont ' +
        "plus épaisses que des chaussettes ordinaires. Si un article ne vous va pas, vous pouvez l'échanger " +
        'gratuitement par un retour dans les 30 jours suivant la livraison.',
      questions: [
        'Quelle taille dois-je commander ?',
        'Vos chaussures taillent-elles petit ?',
        'Où est le guide des tailles ?',
        "J'hésite entre deux tailles, laquelle choisir ?",
        'Comment savoir quelle taille de veste me convient ?',
        'Puis-je échanger contre une autre taille ?',
        'Les chaussures sont trop petites',
        'Avez-vous un tableau des tailles ?',
        'Quelle taille me faut-il ?',
        'Conseil de pointure pour les chaussures',
        'Vos tailles sont-elles normales ?',
        'Le t-shirt est trop large',
        'Où trouver les mensurations pour choisir ?',
        'Quelle pointure prendre ?',
        'Il me faut une taille au-dessus',
        'Aidez-moi à choisir ma taille',
      ],
    },
    fi: {
      title: 'Oikean koon valinta',
      body:
        'Jokaisella tuotesivulla on kokotaulukko, jossa mitat ovat senttimetreinä. Jos olet kahden kenkäkoon ' +
        'välissä, valitse isompi: retkisukat ovat paksumpia kuin tavalliset sukat. Jos tuote ei sovi, voit ' +
        'vaihtaa sen maksutta palautuksen kautta 30 päivän kuluessa toimituksesta.',
      questions: [
        'Minkä koon tilaisin?',
        'Ovatko kenkänne pienikokoisia?',
        'Missä on kokotaulukko?',
        'Olen kahden koon välissä, kumman valitsen?',
        'Mistä tiedän, mikä takin koko minulle sopii?',
        'Voinko vaihtaa toiseen kokoon?',
        'Kengät ovat liian pienet',
        'Onko teillä kokoopasta?',
        'Minkä koon tarvitsen?',
        'Kokoneuvoja kenkiin',
        'Ovatko kokonne normaaleja?',
        'Paita on liian väljä',
        'Mistä löydän mitat koon valintaan?',
        'Minkä kenkäkoon valitsen?',
        'Tarvitsen isomman koon',
        'Auttakaa valitsemaan oikea koko',
      ],
    },
    sv: {
      title: 'Hitta rätt storlek',
      body:
        'Varje produktsida har en storleksguide med kroppsmått i centimeter. Om du är mellan två skostorlekar, ' +
        'välj den större: vandringsstrumpor är tjockare än vanliga strumpor. Om något inte passar kan du byta ' +
        'det kostnadsfritt via en retur inom 30 dagar efter leveransen.',
      questions: [
        'Vilken storlek ska jag beställa?',
        'Är era skor små i storleken?',
        'Var hittar jag storleksguiden?',
        'Jag är mellan två storlekar, vilken ska jag ta?',
        'Hur vet jag vilken jackstorlek som passar mig?',
        'Kan jag byta till en annan storlek?',
        'Skorna är för små',
        'Finns det en storlekstabell?',
        'Vilken storlek behöver jag?',
        'Storleksråd för kängor',
        'Är era storlekar normala?',
        'Tröjan är för stor',
        'Vilka mått gäller för storlekarna?',
        'Vilken skostorlek ska jag välja?',
        'Jag behöver en större storlek',
        'Hjälp mig välja rätt storlek',
      ],
    },
  },
  warranty: {
    en: {
      title: 'Damaged or faulty items and warranty',
      body:
        'If something arrives damaged or stops working, reply with your order number and a photo. ' +
        'We send a replacement or refund; you do not need to send the damaged item back. ' +
        'Every product has a 2-year legal guarantee from delivery.',
      questions: [
        'My order arrived damaged',
        'The product is broken',
        'Item is faulty',
        'The zipper of my tent broke',
        'Is there a warranty?',
        'My boots are coming apart after two months',
        'How long is the guarantee?',
        'I received a defective backpack',
        'Something arrived broken',
        'The item I received is damaged',
        'My tent has a tear',
        'It stopped working after a month',
        'Do I have to send the faulty item back?',
        'Do your products have a guarantee?',
        'The strap of my backpack ripped',
        'faulty product, what now?',
      ],
    },
    de: {
      title: 'Beschädigte oder defekte Artikel und Gewährleistung',
      body:
        'Kommt etwas beschädigt an oder geht kaputt, antworten Sie mit Ihrer Bestellnummer und einem Foto. ' +
        'Wir schicken Ersatz oder erstatten den Betrag; den beschädigten Artikel müssen Sie nicht zurückschicken. ' +
        'Auf jedes Produkt gilt die gesetzliche Gewährleistung von 2 Jahren ab Lieferung.',
      questions: [
        'Meine Bestellung ist beschädigt angekommen',
        'Das Produkt ist kaputt',
        'Der Artikel ist defekt',
        'Der Reißverschluss meines Zelts ist gerissen',
        'Gibt es eine Garantie?',
        'Meine Schuhe lösen sich nach zwei Monaten auf',
        'Wie lange gilt die Gewährleistung?',
        'Ich habe einen defekten Rucksack bekommen',
        'Artikel kam kaputt an',
        'Die Ware ist beschädigt',
        'Mein Zelt hat einen Riss',
        'Nach einem Monat funktioniert es nicht mehr',
        'Muss ich den defekten Artikel zurückschicken?',
        'Habt ihr Garantie auf eure Produkte?',
        'Der Träger meines Rucksacks ist abgerissen',
        'Reklamation: Produkt defekt',
      ],
    },
    fr: {
      title: 'Articles endommagés ou défectueux et garantie',
      body:
        'Si un article arrive endommagé ou tombe en panne, répondez avec votre numéro de commande et une photo. ' +
        "Nous envoyons un remplacement ou vous remboursons ; inutile de nous renvoyer l'article abîmé. " +
        'Chaque produit bénéficie de la garantie légale de 2 ans à compter de la livraison.',
      questions: [
        'Ma commande est arrivée abîmée',
        'Le produit est cassé',
        "L'article est défectueux",
        "La fermeture éclair de ma tente s'est cassée",
        'Y a-t-il une garantie ?',
        'Mes chaussures se décollent après deux mois',
        'Combien de temps dure la garantie ?',
        "J'ai reçu un sac à dos défectueux",
        'Article arrivé cassé',
        "L'article reçu est endommagé",
        'Ma tente est déchirée',
        'Ça ne marche plus après un mois',
        "Dois-je renvoyer l'article défectueux ?",
        'Vos produits sont-ils garantis ?',
        "La bretelle de mon sac à dos s'est arrachée",
        'Réclamation : produit défectueux',
      ],
    },
    fi: {
      title: 'Vaurioituneet tai vialliset tuotteet ja takuu',
      body:
        'Jos tuote saapuu vaurioituneena tai lakkaa toimimasta, vastaa tähän tilausnumerollasi ja liitä kuva. ' +
        'Lähetämme uuden tuotteen tai palautamme rahat; vaurioitunutta tuotetta ei tarvitse lähettää takaisin. ' +
        'Kaikilla tuotteilla on lakisääteinen 2 vuoden virhevastuu toimituksesta alkaen.',
      questions: [
        'Tilaukseni tuli rikki',
        'Tuote on rikki',
        'Tuote on viallinen',
        'Telttani vetoketju hajosi',
        'Onko tuotteilla takuu?',
        'Kenkäni hajosivat kahdessa kuukaudessa',
        'Kuinka pitkä takuu on?',
        'Sain viallisen repun',
        'Tavara saapui hajonneena',
        'Saamani tuote on vaurioitunut',
        'Teltassani on repeämä',
        'Lakkasi toimimasta kuukauden jälkeen',
        'Pitääkö viallinen tuote lähettää takaisin?',
        'Kuuluuko tuotteisiin takuu?',
        'Reppuni olkahihna repesi',
        'Reklamaatio: tuote on viallinen',
      ],
    },
    sv: {
      title: 'Skadade eller felaktiga varor och garanti',
      body:
        'Om något kommer fram skadat eller slutar fungera, svara med ditt ordernummer och ett foto. ' +
        'Vi skickar en ersättningsvara eller betalar tillbaka; du behöver inte skicka tillbaka den skadade varan. ' +
        'Alla produkter har 2 års lagstadgad reklamationsrätt från leveransen.',
      questions: [
        'Min beställning kom fram skadad',
        'Produkten är trasig',
        'Varan är defekt',
        'Blixtlåset på mitt tält gick sönder',
        'Finns det garanti?',
        'Mina kängor går sönder efter två månader',
        'Hur lång är garantin?',
        'Jag fick en trasig ryggsäck',
        'Varan kom fram trasig',
        'Produkten jag fick är skadad',
        'Mitt tält har en reva',
        'Slutade fungera efter en månad',
        'Måste jag skicka tillbaka den felaktiga varan?',
        'Har era produkter garanti?',
        'Axelremmen på ryggsäcken gick av',
        'Reklamation: produkten är defekt',
      ],
    },
  },
  payment: {
    en: {
      title: 'Payment methods',
      body:
        'You can pay by credit or debit card or with PayPal; checkout shows the methods available in your ' +
        'country. Your card is charged when your order ships, not when you place it. If you see a charge you ' +
        'do not recognise or were charged twice, tell us and a colleague will look into it.',
      questions: [
        'Which payment methods do you accept?',
        'Can I pay with PayPal?',
        'When is my card charged?',
        'My payment was declined',
        'I was charged twice',
        'Can I pay by credit card?',
        'Why was my card not charged yet?',
        'Do you take debit cards?',
        'Which cards do you accept?',
        'Can I pay by invoice?',
        'Do you accept Apple Pay?',
        'Payment failed',
        'Why did my payment not go through?',
        'Double charge on my card',
        'When do you charge my account?',
        'Is paying by card possible?',
      ],
    },
    de: {
      title: 'Zahlungsarten',
      body:
        'Sie können mit Kredit- oder Debitkarte oder mit PayPal bezahlen; an der Kasse sehen Sie, welche ' +
        'Zahlungsarten in Ihrem Land möglich sind. Ihre Karte wird belastet, wenn die Bestellung verschickt ' +
        'wird, nicht schon bei der Bestellung. Sehen Sie eine Abbuchung, die Sie nicht zuordnen können, oder ' +
        'wurde doppelt abgebucht, sagen Sie es uns: Ein Kollege sieht sich das an.',
      questions: [
        'Welche Zahlungsarten akzeptiert ihr?',
        'Kann ich mit PayPal bezahlen?',
        'Wann wird meine Karte belastet?',
        'Meine Zahlung wurde abgelehnt',
        'Mir wurde doppelt abgebucht',
        'Kann ich mit Kreditkarte zahlen?',
        'Warum wurde meine Karte noch nicht belastet?',
        'Nehmt ihr auch Debitkarten?',
        'Welche Karten nehmt ihr?',
        'Kann ich auf Rechnung zahlen?',
        'Geht Apple Pay?',
        'Zahlung fehlgeschlagen',
        'Warum ging meine Zahlung nicht durch?',
        'Doppelte Abbuchung auf meiner Karte',
        'Wann belastet ihr mein Konto?',
        'Bezahlen mit Karte möglich?',
      ],
    },
    fr: {
      title: 'Moyens de paiement',
      body:
        'Vous pouvez payer par carte de crédit ou de débit ou avec PayPal ; la page de paiement indique les ' +
        "moyens disponibles dans votre pays. Votre carte est débitée à l'expédition de la commande, pas au " +
        'moment où vous la passez. Si vous voyez un débit que vous ne reconnaissez pas ou avez été débité deux ' +
        'fois, dites-le-nous : un collègue vérifiera.',
      questions: [
        'Quels moyens de paiement acceptez-vous ?',
        'Puis-je payer avec PayPal ?',
        'Quand ma carte est-elle débitée ?',
        'Mon paiement a été refusé',
        "J'ai été débité deux fois",
        'Puis-je payer par carte bancaire ?',
        "Pourquoi ma carte n'a-t-elle pas encore été débitée ?",
        'Acceptez-vous les cartes de débit ?',
        'Quelles cartes acceptez-vous ?',
        'Puis-je payer sur facture ?',
        'Apple Pay, ça marche ?',
        'Paiement échoué',
        "Pourquoi mon paiement n'est pas passé ?",
        'Double débit sur ma carte',
        'Quand mon compte est-il débité ?',
        'Payer par carte, c’est possible ?',
      ],
    },
    fi: {
      title: 'Maksutavat',
      body:
        'Voit maksaa luotto- tai pankkikortilla tai PayPalilla; kassalla näet, mitkä maksutavat ovat ' +
        'käytettävissä maassasi. Korttiasi veloitetaan vasta, kun tilaus lähetetään, ei tilaushetkellä. Jos ' +
        'näet veloituksen, jota et tunnista, tai sinua on veloitettu kahdesti, kerro meille, niin kollegamme ' +
        'selvittää asian.',
      questions: [
        'Mitä maksutapoja hyväksytte?',
        'Voinko maksaa PayPalilla?',
        'Milloin korttiani veloitetaan?',
        'Maksuni hylättiin',
        'Minua veloitettiin kahdesti',
        'Voinko maksaa luottokortilla?',
        'Miksi korttiani ei ole vielä veloitettu?',
        'Käykö pankkikortti?',
        'Mitä kortteja hyväksytte?',
        'Voinko maksaa laskulla?',
        'Käykö Apple Pay?',
        'Maksu epäonnistui',
        'Miksi maksuni ei mennyt läpi?',
        'Kortiltani veloitettiin kahteen kertaan',
        'Milloin tililtäni veloitetaan?',
        'Voiko kortilla maksaa?',
      ],
    },
    sv: {
      title: 'Betalningssätt',
      body:
        'Du kan betala med kredit- eller betalkort eller med PayPal; i kassan ser du vilka betalningssätt som ' +
        'finns i ditt land. Kortet debiteras när beställningen skickas, inte när du lägger den. Om du ser en ' +
        'dragning du inte känner igen eller har debiterats två gånger, säg till så tittar en kollega på det.',
      questions: [
        'Vilka betalningssätt tar ni emot?',
        'Kan jag betala med PayPal?',
        'När dras pengarna från mitt kort?',
        'Min betalning nekades',
        'Jag har debiterats två gånger',
        'Kan jag betala med kreditkort?',
        'Varför har mitt kort inte debiterats än?',
        'Tar ni betalkort?',
        'Vilka kort tar ni?',
        'Kan jag betala mot faktura?',
        'Funkar Apple Pay?',
        'Betalningen misslyckades',
        'Varför gick inte min betalning igenom?',
        'Dubbeldragning på kortet',
        'När debiteras mitt konto?',
        'Går det att betala med kort?',
      ],
    },
  },
  password: {
    en: {
      title: 'Resetting your password',
      body:
        'Click "Forgot password" on the sign-in page and enter your email address. ' +
        'The link we send is valid for 60 minutes. If no email arrives, check your spam folder.',
      questions: [
        'I forgot my password',
        'How do I reset my password?',
        'Cannot log in',
        'The password reset link does not work',
        'I cannot sign in to my account',
        'How do I change my password?',
        'I did not get the password reset email',
        'My account is locked',
        'password reset',
        'How do I log in?',
        'My password does not work',
        'Trouble signing in',
        'forgot password link',
        'I need to reset my password but the email is not arriving',
        'Problems logging in to my account',
        'Login problems',
      ],
    },
    de: {
      title: 'Passwort zurücksetzen',
      body:
        'Klicken Sie auf der Anmeldeseite auf „Passwort vergessen“ und geben Sie Ihre E-Mail-Adresse ein. ' +
        'Der Link, den wir Ihnen schicken, ist 60 Minuten gültig. Kommt keine E-Mail an, sehen Sie bitte im ' +
        'Spam-Ordner nach.',
      questions: [
        'Ich habe mein Passwort vergessen',
        'Wie setze ich mein Passwort zurück?',
        'Ich kann mich nicht anmelden',
        'Der Link zum Zurücksetzen funktioniert nicht',
        'Ich komme nicht in mein Kundenkonto',
        'Wie ändere ich mein Passwort?',
        'Die E-Mail zum Zurücksetzen des Passworts kommt nicht an',
        'Mein Konto ist gesperrt',
        'Passwort zurücksetzen',
        'Wie logge ich mich ein?',
        'Mein Passwort funktioniert nicht',
        'Probleme beim Einloggen',
        'Passwort-vergessen-Link',
        'Ich muss mein Passwort zurücksetzen, aber die E-Mail kommt nicht',
        'Login klappt nicht',
        'Anmeldung geht nicht, Passwort falsch?',
      ],
    },
    fr: {
      title: 'Réinitialiser votre mot de passe',
      body:
        'Cliquez sur « Mot de passe oublié » sur la page de connexion et saisissez votre adresse e-mail. ' +
        "Le lien que nous vous envoyons est valable 60 minutes. Si vous ne recevez pas d'e-mail, vérifiez vos " +
        'courriers indésirables.',
      questions: [
        "J'ai oublié mon mot de passe",
        'Comment réinitialiser mon mot de passe ?',
        "Je n'arrive pas à me connecter",
        'Le lien de réinitialisation ne fonctionne pas',
        'Je ne peux pas accéder à mon compte',
        'Comment changer mon mot de passe ?',
        "Je n'ai pas reçu l'e-mail de réinitialisation",
        'Mon compte est bloqué',
        'réinitialisation du mot de passe',
        'Comment me connecter ?',
        'Mon mot de passe ne fonctionne pas',
        'Problème de connexion',
        'lien mot de passe oublié',
        "Je dois réinitialiser mon mot de passe mais l'e-mail n'arrive pas",
        "Je n'arrive plus à entrer dans mon compte",
        'Problème pour me connecter, mot de passe refusé',
      ],
    },
    fi: {
      title: 'Salasanan vaihtaminen',
      body:
        'Napsauta kirjautumissivulla ”Unohditko salasanan?” ja kirjoita sähköpostiosoitteesi. ' +
        'Lähettämämme linkki on voimassa 60 minuuttia. Jos viestiä ei kuulu, katso roskapostikansio.',
      questions: [
        'Unohdin salasanani',
        'Miten vaihdan salasanan?',
        'En pääse kirjautumaan',
        'Salasanan palautuslinkki ei toimi',
        'En pääse tililleni',
        'Miten voin vaihtaa salasanani?',
        'En saanut salasanan palautusviestiä',
        'Tilini on lukittu',
        'salasanan nollaus',
        'Miten kirjaudun sisään?',
        'Salasanani ei toimi',
        'Ongelmia kirjautumisessa',
        'unohtunut salasana linkki',
        'Pitää nollata salasana, mutta sähköposti ei tule',
        'En pysty kirjautumaan tililleni',
        'Kirjautumisongelma, salasana ei kelpaa',
      ],
    },
    sv: {
      title: 'Återställa lösenordet',
      body:
        'Klicka på ”Glömt lösenordet?” på inloggningssidan och ange din e-postadress. ' +
        'Länken vi skickar gäller i 60 minuter. Om inget mejl kommer, titta i skräpposten.',
      questions: [
        'Jag har glömt mitt lösenord',
        'Hur återställer jag lösenordet?',
        'Jag kan inte logga in',
        'Länken för att återställa lösenordet fungerar inte',
        'Jag kommer inte in på mitt konto',
        'Hur byter jag lösenord?',
        'Jag fick inget mejl för att återställa lösenordet',
        'Mitt konto är låst',
        'återställ lösenord',
        'Hur loggar jag in?',
        'Mitt lösenord fungerar inte',
        'Problem med inloggningen',
        'glömt lösenord länk',
        'Jag måste återställa lösenordet men mejlet kommer inte',
        'Jag lyckas inte logga in på mitt konto',
        'Problem att logga in, lösenordet godkänns inte',
      ],
    },
  },
  privacy: {
    en: {
      title: 'Your data: copy, correction, deletion',
      body:
        'You can ask for a copy of the personal data we hold about you, have it corrected, or have it deleted, ' +
        'free of charge; we answer within one month. Write "I want to talk to a person" here and a colleague ' +
        'will take your request; we may ask you to confirm that the account is yours.',
      questions: [
        'I want a copy of my data',
        'Please delete my account and my data',
        'What personal data do you store about me?',
        'How do I delete my account?',
        'I want my data erased under GDPR',
        'Can you correct my address in your records?',
        'Send me all the data you have on me',
        'Stop processing my data',
        'Delete my account',
        'I want to see my personal data',
        'GDPR data request',
        'Erase everything you know about me',
        'How do I request my data?',
        'Update my personal details',
        'Do you store my data?',
        'I want to exercise my rights under GDPR',
      ],
    },
    de: {
      title: 'Ihre Daten: Auskunft, Berichtigung, Löschung',
      body:
        'Sie können eine Kopie der personenbezogenen Daten verlangen, die wir über Sie speichern, und sie ' +
        'berichtigen oder löschen lassen, kostenlos; wir antworten innerhalb eines Monats. Schreiben Sie hier ' +
        '„Ich möchte mit einem Menschen sprechen“, dann nimmt eine Kollegin oder ein Kollege Ihren Antrag auf; ' +
        'eventuell bitten wir Sie zu bestätigen, dass das Konto Ihnen gehört.',
      questions: [
        'Ich möchte eine Kopie meiner Daten',
        'Bitte löschen Sie mein Konto und meine Daten',
        'Welche personenbezogenen Daten speichert ihr über mich?',
        'Wie lösche ich mein Kundenkonto?',
        'Ich möchte meine Daten nach DSGVO löschen lassen',
        'Könnt ihr meine Adresse in euren Daten korrigieren?',
        'Auskunft nach Art. 15 DSGVO',
        'Hören Sie auf, meine Daten zu verarbeiten',
        'Konto löschen',
        'Ich möchte meine gespeicherten Daten sehen',
        'DSGVO-Auskunft',
        'Löscht alles, was ihr über mich wisst',
        'Wie beantrage ich eine Datenauskunft?',
        'Meine persönlichen Angaben aktualisieren',
        'Speichert ihr meine Daten?',
        'Ich möchte meine Rechte nach der DSGVO wahrnehmen',
      ],
    },
    fr: {
      title: 'Vos données : copie, rectification, effacement',
      body:
        'Vous pouvez demander gratuitement une copie des données personnelles que nous détenons sur vous, leur ' +
        'rectification ou leur effacement ; nous répondons dans un délai d’un mois. Écrivez ici « Je veux parler ' +
        'à une personne » et un collègue prendra votre demande ; nous pourrons vous demander de confirmer que le ' +
        'compte est bien le vôtre.',
      questions: [
        'Je veux une copie de mes données',
        'Merci de supprimer mon compte et mes données',
        'Quelles données personnelles conservez-vous sur moi ?',
        'Comment supprimer mon compte ?',
        'Je demande l’effacement de mes données au titre du RGPD',
        'Pouvez-vous corriger mon adresse dans vos fichiers ?',
        'Envoyez-moi toutes les données que vous avez sur moi',
        'Arrêtez de traiter mes données',
        'Supprimer mon compte',
        'Je veux voir mes données personnelles',
        "Demande d'accès RGPD",
        'Effacez tout ce que vous savez sur moi',
        'Comment demander mes données ?',
        'Mettre à jour mes informations personnelles',
        'Vous conservez mes données ?',
        'Je veux exercer mes droits RGPD',
      ],
    },
    fi: {
      title: 'Tietosi: kopio, korjaus, poisto',
      body:
        'Voit pyytää maksutta kopion sinusta tallentamistamme henkilötiedoista sekä niiden korjaamista tai ' +
        'poistamista; vastaamme kuukauden kuluessa. Kirjoita tähän ”Haluan puhua ihmisen kanssa”, niin ' +
        'kollegamme ottaa pyyntösi käsittelyyn; saatamme pyytää sinua vahvistamaan, että tili on sinun.',
      questions: [
        'Haluan kopion tiedoistani',
        'Poistakaa tilini ja tietoni',
        'Mitä henkilötietoja minusta on tallennettu?',
        'Miten poistan tilini?',
        'Haluan tietoni poistettavaksi GDPR:n nojalla',
        'Voitteko korjata osoitteeni rekisteriinne?',
        'Lähettäkää minulle kaikki tiedot, joita teillä on minusta',
        'Lopettakaa tietojeni käsittely',
        'Poista tilini',
        'Haluan nähdä henkilötietoni',
        'GDPR-tietopyyntö',
        'Poistakaa kaikki mitä tiedätte minusta',
        'Miten pyydän tietoni?',
        'Henkilötietojen päivittäminen',
        'Tallennatteko tietojani?',
        'Haluan käyttää GDPR-oikeuksiani',
      ],
    },
    sv: {
      title: 'Dina uppgifter: kopia, rättelse, radering',
      body:
        'Du kan kostnadsfritt begära en kopia av de personuppgifter vi har om dig, få dem rättade eller ' +
        'raderade; vi svarar inom en månad. Skriv ”Jag vill prata med en människa” här så tar en kollega hand ' +
        'om din begäran; vi kan be dig bekräfta att kontot är ditt.',
      questions: [
        'Jag vill ha en kopia av mina uppgifter',
        'Radera mitt konto och mina uppgifter',
        'Vilka personuppgifter sparar ni om mig?',
        'Hur raderar jag mitt konto?',
        'Jag vill att ni raderar mina uppgifter enligt GDPR',
        'Kan ni rätta min adress i era register?',
        'Skicka mig alla uppgifter ni har om mig',
        'Sluta behandla mina uppgifter',
        'Ta bort mitt konto',
        'Jag vill se mina personuppgifter',
        'GDPR-förfrågan',
        'Radera allt ni vet om mig',
        'Hur gör jag en begäran om registerutdrag?',
        'Uppdatera mina personuppgifter',
        'Sparar ni mina uppgifter?',
        'Jag vill utöva mina rättigheter enligt GDPR',
      ],
    },
  },
};

/** Every article, keyed (the key ties translations of one article together). */
export const demoKb: DemoArticle[] = Object.entries(KB).flatMap(([key, byLanguage]) =>
  DEMO_LANGUAGES.map((language) => ({ key, language, ...byLanguage[language] })),
);

/** The seed the demo (and tests) create through the KB: the article shape of POST /api/kb/articles. */
export const kbSeed = demoKb.map(({ title, body, language, questions }) => ({ title, body, language, questions }));

/** Only some languages (e.g. a German-only KB in a test). */
export const kbSeedFor = (...languages: DemoLanguage[]) => kbSeed.filter((a) => languages.includes(a.language));
