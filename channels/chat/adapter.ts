import type { ChannelAdapter, InboundMessage, InboundRequest } from '../types.ts';
import { InboundRejected } from '../types.ts';

/** What the widget sends for one message; the visitor and inbox come from the verified token. */
export type ChatPayload = {
  visitorId: string;
  clientId: string;
  text: string;
  receivedAt: string;
};

export type ChatAdapterDeps = {
  /** Returns the visitor id a token proves, or null for a missing, forged or foreign token. */
  verifyToken(token: string | undefined): { visitorId: string; inboxId: string } | null;
};

const bearer = (request: InboundRequest) => {
  const header = request.headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  return value?.startsWith('Bearer ') ? value.slice(7) : undefined;
};

/**
 * The website chat. Its "provider" is our own widget: inbound arrives over the /widget socket or
 * POST /api/widget/messages; outbound is delivered by the realtime layer the moment the reply is
 * committed (audience.ts addresses the visitor's room), so send() only confirms the hand-over.
 */
export function createChatAdapter(deps: ChatAdapterDeps): ChannelAdapter<ChatPayload> {
  return {
    kind: 'chat',
    identityKind: 'visitor',
    capabilities: { threads: false, attachments: true, deliveryReceipts: false, maxLength: 10_000 },
    verify(request) {
      const claims = deps.verifyToken(bearer(request));
      if (!claims) throw new InboundRejected('invalid visitor token');
      const body = request.body as Partial<ChatPayload> | undefined;
      if (body?.visitorId !== undefined && body.visitorId !== claims.visitorId) {
        throw new InboundRejected('token does not belong to this visitor');
      }
    },
    parse(payload, { inboxId }): InboundMessage[] {
      return [
        {
          channel: 'chat',
          inboxId,
          sender: { kind: 'visitor', address: payload.visitorId },
          threadKey: payload.visitorId,
          // Namespaced by visitor: one visitor's client ids can never collide with another's.
          externalId: `${payload.visitorId}:${payload.clientId}`,
          text: payload.text,
          occurredAt: new Date(payload.receivedAt),
          metadata: { clientId: payload.clientId },
        },
      ];
    },
    async send(message) {
      return { externalId: `chat:${message.messageId}`, state: 'sent' };
    },
  };
}
