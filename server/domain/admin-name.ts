import type { Locale } from '../../web/i18n/index.ts';
import { teamName } from '../../web/i18n/server-catalog.ts';

/**
 * The first admin's display name until they change it in their profile: customers see it on replies, so it names the
 * team, not a role ("Administrator"). It is a placeholder, not a name anyone chose: what a customer reads instead is
 * their own language's word for the team (widget: message.team), so the widget is sent no name for it.
 */
export const ADMIN_DISPLAY_NAME = 'Support team';

/** An agent's name as a customer may see it: null for the untouched placeholder (the widget words it). */
export const customerFacingName = (name: string | null): string | null => (name === ADMIN_DISPLAY_NAME ? null : name);

/** An agent's name written into a text in a language (a canned reply, the breach register): the placeholder worded. */
export const nameInLanguage = (name: string, locale: Locale): string =>
  name === ADMIN_DISPLAY_NAME ? teamName(locale) : name;
