import { createHash, randomUUID } from 'node:crypto';
import type { DomainEventBus } from '../domain/events.ts';
import type { WebhookResources } from '../../drizzle/schema/index.ts';
import type { WebhookEventType } from './event-types.ts';

export { WEBHOOK_EVENTS, type WebhookEventType } from './event-types.ts';

/** One event for the receivers: ids only; `contactId` is the contact it is about, so an erasure reaches its rows. */
export type WebhookEvent = {
  id: string;
  type: WebhookEventType;
  occurredAt: Date;
  contactId: string | null;
  resources: WebhookResources;
};

/**
 * The id of an event that can happen only once per resource (a message is created once, a contact erased once):
 * derived from the two, so a second publication (a replay, another server) is the same event and the unique
 * (subscription, event id) key keeps one delivery. Events that recur (an assignment) get a random id.
 */
export function onceId(type: WebhookEventType, resourceId: string): string {
  const hex = createHash('sha256').update(`${type}\n${resourceId}`).digest('hex');
  // Shaped as a UUID (version 8: custom), so the id column and the receivers see one format.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Turns the domain events (published after commit) into webhook events for `sink`. Private notes and timeline
 * markers never leave the system; a conversation counts as created when its first inbound message opened it.
 */
export function webhookEventsFrom(bus: DomainEventBus, clock: () => Date, sink: (e: WebhookEvent) => void) {
  const unsubscribe = [
    bus.subscribe('message.created', ({ message, conversation }) => {
      if (message.kind !== 'message') return;
      const ids = {
        conversationId: conversation.id,
        inboxId: conversation.inboxId,
        contactId: conversation.contact.id,
      };
      if (message.direction === 'inbound' && message.createdAt === conversation.createdAt)
        sink({
          id: onceId('conversation.created', conversation.id),
          type: 'conversation.created',
          occurredAt: new Date(conversation.createdAt),
          contactId: ids.contactId,
          resources: ids,
        });
      sink({
        id: onceId('message.created', message.id),
        type: 'message.created',
        occurredAt: new Date(message.createdAt),
        contactId: ids.contactId,
        resources: { ...ids, messageId: message.id },
      });
    }),
    bus.subscribe('conversation.assigned', ({ conversation }) =>
      sink({
        id: randomUUID(),
        type: 'conversation.assigned',
        occurredAt: clock(),
        contactId: conversation.contact.id,
        resources: {
          conversationId: conversation.id,
          inboxId: conversation.inboxId,
          contactId: conversation.contact.id,
          assigneeId: conversation.assignee?.id ?? null,
        },
      }),
    ),
    bus.subscribe('conversation.resolved', ({ conversation }) =>
      sink({
        id: randomUUID(),
        type: 'conversation.resolved',
        occurredAt: clock(),
        contactId: conversation.contact.id,
        resources: {
          conversationId: conversation.id,
          inboxId: conversation.inboxId,
          contactId: conversation.contact.id,
        },
      }),
    ),
    bus.subscribe('consent.recorded', ({ consents }) => {
      for (const consent of consents)
        sink({
          id: randomUUID(),
          type: 'consent.changed',
          occurredAt: clock(),
          contactId: consent.contactId,
          resources: { contactId: consent.contactId, purpose: consent.purpose },
        });
    }),
    // The erased contact's id is all that is left: its row keeps no contact (the person is gone).
    bus.subscribe('contact.erased', ({ contactId, conversations }) =>
      sink({
        id: onceId('contact.erased', contactId),
        type: 'contact.erased',
        occurredAt: clock(),
        contactId: null,
        resources: { contactId, conversationIds: conversations.map((c) => c.id) },
      }),
    ),
  ];
  return () => unsubscribe.forEach((stop) => stop());
}
