import { t } from './i18n.svelte.ts';
import { deliveryReason as reasonIn, networkReason as networkIn } from './delivery-reason.ts';

/** Why a reply or a webhook delivery failed, in the agent's current language (lib/delivery-reason.ts). */
export const deliveryReason = (stored: string): string => reasonIn(stored, t);
export const networkReason = (code: string): string => networkIn(code, t);
