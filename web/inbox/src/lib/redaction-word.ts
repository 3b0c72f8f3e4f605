import { t } from './i18n.svelte.ts';
import { wordRedactions } from '../../../i18n/redaction.ts';

/** A preview or snippet with each stored "[redacted]" code shown as the agent's language words it. */
export const sayRedactions = (text: string): string => wordRedactions(text, t('message.redactedMarker'));
