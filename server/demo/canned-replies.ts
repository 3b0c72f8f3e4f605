/** The demo's shared canned replies: one per common situation, in the five languages of the inbox. */
export const demoCannedReplies = [
  {
    shortcut: 'hello',
    title: 'Greeting',
    variants: {
      en: 'Hi {{contact.firstName}}, this is {{agent.firstName}} from the support team. ',
      de: 'Hallo {{contact.firstName}}, hier ist {{agent.firstName}} vom Support-Team. ',
      fr: 'Bonjour {{contact.firstName}}, ici {{agent.firstName}} de l’équipe support. ',
      fi: 'Hei {{contact.firstName}}, täällä {{agent.firstName}} asiakastuesta. ',
      sv: 'Hej {{contact.firstName}}, det här är {{agent.firstName}} från supportteamet. ',
    },
  },
  {
    shortcut: 'order',
    title: 'Ask for the order number',
    variants: {
      en: 'Could you send me your order number? It is in the confirmation mail and starts with #.',
      de: 'Könnten Sie mir Ihre Bestellnummer schicken? Sie steht in der Bestätigungsmail und beginnt mit #.',
      fr:
        'Pourriez-vous m’envoyer votre numéro de commande ? ' +
        'Il figure dans l’e-mail de confirmation et commence par #.',
      fi: 'Voisitko lähettää tilausnumerosi? Se on tilausvahvistuksessa ja alkaa merkillä #.',
      sv: 'Kan du skicka ditt ordernummer? Det står i orderbekräftelsen och börjar med #.',
    },
  },
  {
    shortcut: 'thanks',
    title: 'Thanks and goodbye',
    variants: {
      en: 'Thank you for your patience, {{contact.firstName}}. Have a good day!\n{{agent.name}}',
      de: 'Vielen Dank für Ihre Geduld, {{contact.firstName}}. Einen schönen Tag!\n{{agent.name}}',
      fr: 'Merci de votre patience, {{contact.firstName}}. Bonne journée !\n{{agent.name}}',
      fi: 'Kiitos kärsivällisyydestäsi, {{contact.firstName}}. Mukavaa päivää!\n{{agent.name}}',
      sv: 'Tack för ditt tålamod, {{contact.firstName}}. Ha en fin dag!\n{{agent.name}}',
    },
  },
];
