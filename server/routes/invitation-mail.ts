/** The invitation mail (English for now; the i18n layer will take it with the inbox's other texts). */
export function invitationMail(mail: { to: string; name: string; link: string; days: number }) {
  return {
    to: mail.to,
    subject: 'You are invited to the support inbox',
    text:
      `Hello ${mail.name},\n\n` +
      'You have been invited to answer customers in the support inbox.\n' +
      `Choose your password here (the link works once, for ${mail.days} days):\n\n${mail.link}\n\n` +
      'If you did not expect this, ignore this mail.\n',
  };
}
