import type { Namespace } from 'socket.io';
import type { DomainEventBus } from '../domain/events.ts';
import { toVisitorMessageView } from '../domain/views.ts';
import { sha256 } from '../security/tokens.ts';
import type { AgentClientEvents, AgentServerEvents, WidgetClientEvents, WidgetServerEvents } from './event-map.ts';

export const AGENTS_ROOM = 'agents';
export const visitorRoom = (visitorId: string) => `visitor:${visitorId}`;
/** Each agent's own room, for events meant for one person (their export's progress). */
export const agentRoom = (agentId: string) => `agent:${agentId}`;
/**
 * The sockets opened with one session (`tokenHash`: the SHA-256 of its cookie, as in the sessions table). Room names
 * travel through Redis, so they carry a hash of that hash, not the table's key.
 */
export const sessionRoom = (tokenHash: string) => `session:${sha256(`socket-room:${tokenHash}`).slice(0, 32)}`;

type Namespaces = {
  agent: Namespace<AgentClientEvents, AgentServerEvents>;
  widget: Namespace<WidgetClientEvents, WidgetServerEvents>;
};

/**
 * The one place that decides who sees a domain event. Agents see everything; a widget visitor sees
 * only customer-visible messages of their own chat (never notes, never timeline events, never ids of agents).
 */
export function wireAudience(events: Pick<DomainEventBus, 'subscribe'>, ns: Namespaces): () => void {
  const offs = [
    events.subscribe('message.created', ({ message, conversation, route, clientId }) => {
      ns.agent.to(AGENTS_ROOM).emit('message:created', { message, conversation });
      if (conversation.channel !== 'chat') return;
      const visible = toVisitorMessageView(message, clientId);
      if (visible) ns.widget.to(visitorRoom(route.threadKey)).emit('message:created', { message: visible });
    }),
    events.subscribe('message.updated', ({ message }) => {
      ns.agent.to(AGENTS_ROOM).emit('message:updated', { message });
    }),
    events.subscribe('conversation.updated', ({ conversation, route }) => {
      ns.agent.to(AGENTS_ROOM).emit('conversation:updated', { conversation });
      if (conversation.channel === 'chat') {
        ns.widget.to(visitorRoom(route.threadKey)).emit('conversation:status', { status: conversation.status });
      }
    }),
    events.subscribe('contact.erased', ({ conversationIds, visitorIds }) => {
      for (const conversationId of conversationIds)
        ns.agent.to(AGENTS_ROOM).emit('conversation:removed', { conversationId });
      for (const visitorId of visitorIds) ns.widget.in(visitorRoom(visitorId)).disconnectSockets(true);
    }),
    events.subscribe('visitor.session_ended', ({ visitorIds }) => {
      for (const visitorId of visitorIds) ns.widget.in(visitorRoom(visitorId)).disconnectSockets(true);
    }),
    events.subscribe('agent.access_changed', ({ agentId, session }) => {
      // Through the Redis adapter when configured: the agent's sockets on every server.
      ns.agent.in(session ? sessionRoom(session) : agentRoom(agentId)).disconnectSockets(true);
    }),
    events.subscribe('bot.decision', (payload) => {
      ns.agent.to(AGENTS_ROOM).emit('bot:decision', payload);
    }),
    events.subscribe('consent.changed', () => {
      ns.agent.to(AGENTS_ROOM).emit('analytics:changed', { reason: 'consent' });
    }),
    events.subscribe('privacy.progress', ({ agentId, ...progress }) => {
      ns.agent.to(agentRoom(agentId)).emit('privacy:progress', progress);
    }),
  ];
  return () => offs.forEach((off) => off());
}
