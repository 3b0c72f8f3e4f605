/**
 * What a receiver can subscribe to (README "Webhooks" describes each payload). The one list: the API's schema and
 * the admin's webhook page (web/inbox) both read it, so it imports nothing the browser cannot bundle.
 */
export const WEBHOOK_EVENTS = [
  'conversation.created',
  'conversation.assigned',
  'conversation.resolved',
  'message.created',
  'contact.erased',
  'consent.changed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];
