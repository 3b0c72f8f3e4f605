import type { Namespace } from 'socket.io';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/client.ts';
import { inboxes } from '../../drizzle/schema/index.ts';
import type { DomainEventBus } from '../domain/events.ts';
import { toVisitorMessageView } from '../domain/views.ts';
import type { FileLinks } from '../domain/uploads-links.ts';
import { sha256 } from '../security/tokens.ts';
import { visibleInboxIds, type InboxIds } from '../domain/scope.ts';
import type { AgentClientEvents, AgentServerEvents, WidgetClientEvents, WidgetServerEvents } from './event-map.ts';

/** Agents who see every inbox (server/domain/scope.ts); an agent restricted to some inboxes joins their rooms. */
export const AGENTS_ROOM = 'agents';
export const inboxRoom = (inboxId: string) => `inbox:${inboxId}`;
export const visitorRoom = (visitorId: string) => `visitor:${visitorId}`;
/** Each agent's own room, for events meant for one person (their export's progress). */
export const agentRoom = (agentId: string) => `agent:${agentId}`;
/**
 * The sockets opened with one session (`tokenHash`: the SHA-256 of its cookie, as in the sessions table). Room names
 * travel through Redis, so they carry a hash of that hash, not the table's key.
 */
export const sessionRoom = (tokenHash: string) => `session:${sha256(`socket-room:${tokenHash}`).slice(0, 32)}`;
/** The rooms that carry an inbox's events to an agent with this scope. */
export const scopeRooms = (scope: InboxIds): string[] => (scope === null ? [AGENTS_ROOM] : scope.map(inboxRoom));

type Namespaces = {
  agent: Namespace<AgentClientEvents, AgentServerEvents>;
  widget: Namespace<WidgetClientEvents, WidgetServerEvents>;
};

/**
 * The one place that decides who sees a domain event. Agents see the events of the inboxes they may see (all of
 * them unless an admin restricted them); a widget visitor sees only customer-visible messages of their own chat
 * (never notes, never timeline events, never ids of agents).
 */
export function wireAudience(
  events: Pick<DomainEventBus, 'subscribe'>,
  ns: Namespaces,
  deps: { db: Db; log: FastifyBaseLogger; fileLinks?: Pick<FileLinks, 'path'> },
): () => void {
  /** Every agent who may see this inbox, once each (socket.io sends once to a socket in several of the rooms). */
  const inboxAgents = (inboxId: string) => ns.agent.to([AGENTS_ROOM, inboxRoom(inboxId)]);
  // One re-scoping at a time, so a quick second change cannot be overtaken by the first one's stale rooms.
  let rescoping: Promise<void> = Promise.resolve();
  const rescope = async (agentIds: string[]) => {
    const everyInbox = (await deps.db.select({ id: inboxes.id }).from(inboxes)).map((i) => inboxRoom(i.id));
    for (const agentId of agentIds) {
      const rooms = scopeRooms(await visibleInboxIds(deps.db, agentId));
      // Through the adapter, so the agent's sockets on every server move (with Redis: in publish order).
      ns.agent.in(agentRoom(agentId)).socketsLeave([AGENTS_ROOM, ...everyInbox]);
      ns.agent.in(agentRoom(agentId)).socketsJoin(rooms);
      ns.agent.to(agentRoom(agentId)).emit('scope:changed', {});
    }
  };
  const offs = [
    events.subscribe('message.created', ({ message, conversation, route, clientId }) => {
      inboxAgents(conversation.inboxId).emit('message:created', { message, conversation });
      if (conversation.channel !== 'chat') return;
      const visible = toVisitorMessageView(message, clientId, deps.fileLinks);
      if (visible) ns.widget.to(visitorRoom(route.threadKey)).emit('message:created', { message: visible });
    }),
    events.subscribe('message.updated', ({ message, conversation }) => {
      inboxAgents(conversation.inboxId).emit('message:updated', { message });
    }),
    events.subscribe('conversation.updated', ({ conversation, route }) => {
      inboxAgents(conversation.inboxId).emit('conversation:updated', { conversation });
      if (conversation.channel === 'chat') {
        ns.widget
          .to(visitorRoom(route.threadKey))
          .emit('conversation:status', { status: conversation.status, joined: conversation.assignee !== null });
      }
    }),
    // Every agent's socket, restricted or not: team names show in every list.
    events.subscribe('teams.changed', () => {
      ns.agent.emit('teams:changed', {});
    }),
    events.subscribe('agent.mentioned', ({ agentIds, conversationId, messageId, by }) => {
      for (const agentId of agentIds)
        ns.agent.to(agentRoom(agentId)).emit('mention:created', { conversationId, messageId, by });
    }),
    events.subscribe('contact.rectified', ({ contact, inboxIds }) => {
      // Once per socket, whichever of the contact's inboxes (or all of them) the agent sees.
      ns.agent.to([AGENTS_ROOM, ...inboxIds.map(inboxRoom)]).emit('contact:updated', { contact });
    }),
    events.subscribe('contact.merged', ({ contact, mergedContactId, inboxIds, visitorIds }) => {
      ns.agent.to([AGENTS_ROOM, ...inboxIds.map(inboxRoom)]).emit('contact:merged', { contact, mergedContactId });
      for (const visitorId of visitorIds) ns.widget.in(visitorRoom(visitorId)).disconnectSockets(true);
    }),
    events.subscribe('contact.erased', ({ conversations, visitorIds }) => {
      for (const { id, inboxId } of conversations)
        inboxAgents(inboxId).emit('conversation:removed', { conversationId: id });
      for (const visitorId of visitorIds) ns.widget.in(visitorRoom(visitorId)).disconnectSockets(true);
    }),
    events.subscribe('conversation.trashed', ({ conversation, visitorIds }) => {
      inboxAgents(conversation.inboxId).emit('conversation:removed', {
        conversationId: conversation.id,
        reason: 'trashed',
      });
      for (const visitorId of visitorIds) ns.widget.in(visitorRoom(visitorId)).disconnectSockets(true);
    }),
    events.subscribe('conversations.changed', ({ conversations }) => {
      for (const { id, inboxId } of conversations)
        inboxAgents(inboxId).emit('conversation:changed', { conversationId: id });
    }),
    events.subscribe('visitor.session_ended', ({ visitorIds }) => {
      for (const visitorId of visitorIds) ns.widget.in(visitorRoom(visitorId)).disconnectSockets(true);
    }),
    events.subscribe('agent.access_changed', ({ agentId, session }) => {
      // Through the Redis adapter when configured: the agent's sockets on every server.
      ns.agent.in(session ? sessionRoom(session) : agentRoom(agentId)).disconnectSockets(true);
    }),
    events.subscribe('bot.decision', ({ conversationId, inboxId, decision }) => {
      inboxAgents(inboxId).emit('bot:decision', { conversationId, decision });
    }),
    // Dashboards are for managers and admins, who see every inbox; the event carries no data.
    events.subscribe('consent.changed', () => {
      ns.agent.to(AGENTS_ROOM).emit('analytics:changed', { reason: 'consent' });
    }),
    events.subscribe('agents.scope_changed', ({ agentIds }) => {
      rescoping = rescoping
        .then(() => rescope(agentIds))
        .catch((err: unknown) => deps.log.error({ err }, 'moving agent sockets to their new inboxes failed'));
    }),
    events.subscribe('privacy.progress', ({ agentId, ...progress }) => {
      ns.agent.to(agentRoom(agentId)).emit('privacy:progress', progress);
    }),
  ];
  return () => offs.forEach((off) => off());
}
