import { and, eq } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { botDecisions } from '../../drizzle/schema/index.ts';
import { detectHumanRequest } from '../../bot/human-request.ts';
import { botSay, HANDOFF_TEXTS } from '../bot/actions.ts';
import type { ConversationDeps } from './conversations.ts';
import { personJoined } from './presence.ts';

/**
 * A customer who asks for a person again while waiting for one gets an answer, not silence: the bot no longer
 * speaks once it handed off (server/bot/runner.ts), so this says that a colleague has already been asked. Only
 * in conversations the bot handed off and nobody has joined yet. Returns the unsubscribe function.
 */
export function startHandoffAcknowledgements(deps: ConversationDeps, log: FastifyBaseLogger): () => void {
  return deps.events.subscribe('message.created', ({ message, conversation }) => {
    if (conversation.status !== 'open' || conversation.assignee !== null) return;
    if (message.direction !== 'inbound' || message.kind !== 'message' || message.authorKind !== 'contact') return;
    if (!detectHumanRequest(message.body)) return;
    void (async () => {
      const [handedOff] = await deps.db
        .select({ id: botDecisions.id })
        .from(botDecisions)
        .where(and(eq(botDecisions.conversationId, conversation.id), eq(botDecisions.action, 'handoff')))
        .limit(1);
      if (!handedOff || (await personJoined(deps.db, conversation.id))) return;
      await botSay(deps, conversation.id, HANDOFF_TEXTS.repeated);
    })().catch((err: unknown) => log.error({ err }, 'acknowledging a repeated request for a person failed'));
  });
}
