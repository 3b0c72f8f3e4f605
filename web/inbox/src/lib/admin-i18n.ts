import { t } from './i18n.svelte.ts';

/**
 * A text of the admin pages and the analytics dashboard (web/i18n/locales/<locale>/inbox-admin.json), reactive
 * to the inbox's language like `t`.
 */
export const ta = (key: string, values?: Record<string, unknown>): string => t(`inbox-admin:${key}`, values);
