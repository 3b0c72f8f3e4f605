import { t } from './i18n.svelte.ts';

/**
 * A text of the Privacy page and the contact panel's privacy sections
 * (web/i18n/locales/<locale>/inbox-privacy.json), reactive to the inbox's language like `t`.
 */
export const tp = (key: string, values?: Record<string, unknown>): string => t(`inbox-privacy:${key}`, values);

const RETENTION_CLASSES = ['messages', 'attachments', 'recordings', 'inactive_contacts', 'bot_logs'];

/**
 * A retention class's name and description in the agent's language. The server sends English (its API is read by
 * scripts too); a class the catalog does not know yet shows the server's text.
 */
export const retentionLabel = (dataClass: string, fallback: string): string =>
  RETENTION_CLASSES.includes(dataClass) ? tp(`retention.class.${dataClass}.label`) : fallback;
export const retentionDescription = (dataClass: string, fallback: string): string =>
  RETENTION_CLASSES.includes(dataClass) ? tp(`retention.class.${dataClass}.description`) : fallback;
