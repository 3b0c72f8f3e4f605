import type { ChannelPort } from '../../server/channel-port.ts';
import type { ChannelInstance, ChannelModule } from '../module.ts';
import { createChatAdapter } from './adapter.ts';
import { chatRoutes } from './routes.ts';

export type ChatInstance = ChannelInstance<'chat'> & { adapters: { chat: ReturnType<typeof createChatAdapter> } };

/**
 * The website chat: its adapter and the widget's HTTP API (routes.ts, at /api/widget), which reaches the
 * server only through the port's visitor desk (`port.visitors`). The widget is part of this server, not a
 * provider, so there is no webhook, configuration or background work. Two widget pieces stay in server/:
 * the realtime /widget socket namespace (server/realtime), because socket.io is the server's realtime
 * infrastructure, shared with the agents' namespace (one io server, its Redis adapter, the session-end
 * cuts), and it calls the same domain functions the desk wraps; and the satisfaction rating routes
 * (/api/widget/rating, server/routes/analytics.ts), which belong to analytics.
 */
export const chatChannel = {
  kinds: ['chat'],
  config: () => null,
  create: (port: ChannelPort): ChatInstance => ({
    adapters: { chat: createChatAdapter({ verifyToken: (token) => port.verifyVisitorToken(token) }) },
    routes: { prefix: '/widget', plugin: chatRoutes(port.visitors, port.uploadBodyLimit) },
    start: async () => {},
    stop: async () => {},
  }),
  // Hosting is listed for every channel by the record itself; the chat involves no other processor.
  art30: (_config, inboxes, t) => ({
    processors: [],
    activities: [],
    inboxes: Object.fromEntries(inboxes.map((i) => [i.id, t('channels.chat.inbox')])),
  }),
} satisfies ChannelModule<'chat', null, ChatInstance>;
