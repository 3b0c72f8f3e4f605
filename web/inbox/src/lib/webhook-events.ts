import { WEBHOOK_EVENTS, type WebhookEventType } from '../../../../server/webhooks/event-types.ts';

/** The events the webhook form offers: the server's own list, so a new event appears there without a second edit. */
export const webhookEvents: readonly WebhookEventType[] = WEBHOOK_EVENTS;

/** An event's label in the inbox-privacy catalog (webhooks.event.conversation_created, …). */
export const webhookEventLabelKey = (event: WebhookEventType): string => `webhooks.event.${event.replace('.', '_')}`;
