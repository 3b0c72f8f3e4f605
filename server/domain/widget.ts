import { and, desc, eq } from 'drizzle-orm';
import { conversations } from '../../drizzle/schema/index.ts';
import type { VisitorMessageView } from '../http/views.ts';
import type { VisitorClaims } from '../security/tokens.ts';
import type { Services } from '../services.ts';
import { DomainError, forbidden, notFound, tooLarge } from './errors.ts';
import { ingest } from './ingest.ts';
import { loadMessageViews, toVisitorMessageView } from './views.ts';

const CLIENT_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** A visitor's message from the widget (socket or HTTP): through the chat adapter into ingest(). */
export async function visitorSend(
  services: Services,
  visitor: VisitorClaims,
  input: { clientId: string; text: string },
): Promise<VisitorMessageView> {
  if (typeof input.text !== 'string' || input.text.trim() === '') {
    throw new DomainError(400, 'empty_message', 'Message text is empty');
  }
  if (input.text.length > services.config.messageMaxChars) throw tooLarge(services.config.messageMaxChars);
  if (typeof input.clientId !== 'string' || !CLIENT_ID.test(input.clientId)) {
    throw new DomainError(400, 'bad_client_id', 'clientId must be 8-64 characters of A-Z, a-z, 0-9, _ or -');
  }
  const [inbound] = services.adapters.chat.parse(
    { visitorId: visitor.visitorId, clientId: input.clientId, text: input.text, receivedAt: new Date().toISOString() },
    { inboxId: visitor.inboxId },
  );
  const result = await ingest(services, inbound!);
  return toVisitorMessageView(result.message, input.clientId)!;
}

/** The visitor's own conversation in this inbox (their thread key is their visitor id). */
async function visitorConversationId(services: Services, visitor: VisitorClaims): Promise<string | null> {
  const [row] = await services.db
    .select({ id: conversations.id, contactId: conversations.contactId })
    .from(conversations)
    .where(and(eq(conversations.inboxId, visitor.inboxId), eq(conversations.threadKey, visitor.visitorId)))
    .orderBy(desc(conversations.createdAt))
    .limit(1);
  // A token whose contact was erased or merged away must not read what is now someone else's.
  if (row && row.contactId !== visitor.contactId) throw forbidden();
  return row?.id ?? null;
}

export async function visitorHistory(services: Services, visitor: VisitorClaims) {
  const conversationId = await visitorConversationId(services, visitor);
  if (!conversationId) return { conversationId: null, messages: [] };
  return { conversationId, messages: await visitorMessages(services, conversationId) };
}

async function visitorMessages(services: Services, conversationId: string): Promise<VisitorMessageView[]> {
  const views = await loadMessageViews(services.db, conversationId);
  return views.flatMap((view) => toVisitorMessageView(view, null) ?? []);
}

/** Reading a conversation by id: only the visitor's own (403 for anyone else's, 404 for none). */
export async function visitorConversation(services: Services, visitor: VisitorClaims, id: string) {
  const [row] = await services.db
    .select({ contactId: conversations.contactId, threadKey: conversations.threadKey, inboxId: conversations.inboxId })
    .from(conversations)
    .where(eq(conversations.id, id));
  if (!row) throw notFound('Conversation');
  if (row.contactId !== visitor.contactId || row.threadKey !== visitor.visitorId || row.inboxId !== visitor.inboxId) {
    throw forbidden('This conversation belongs to someone else');
  }
  return { conversationId: id, messages: await visitorMessages(services, id) };
}
