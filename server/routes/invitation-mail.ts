import type { Locale } from '../../web/i18n/index.ts';
import { serverTranslator } from '../../web/i18n/server-catalog.ts';

/**
 * The invitation mail, in the language of the admin who invites (the colleague has no preference yet; a team
 * usually shares its working language, and each agent can switch on their Profile page afterwards).
 */
export function invitationMail(mail: { to: string; name: string; link: string; days: number }, locale: Locale) {
  const t = serverTranslator(locale);
  return {
    to: mail.to,
    subject: t('invitation.subject'),
    text: t('invitation.text', { name: mail.name, link: mail.link, days: mail.days }),
  };
}
