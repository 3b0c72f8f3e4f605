import type { ChannelPort } from '../../server/channel-port.ts';
import type { ChannelInstance, ChannelModule } from '../module.ts';
import { createChatAdapter } from './adapter.ts';

export type ChatInstance = ChannelInstance<'chat'> & { adapters: { chat: ReturnType<typeof createChatAdapter> } };

/**
 * The website chat. Its routes are the widget's own (server/routes/widget.ts and the /widget socket):
 * the widget is part of this server, not a provider, so the module only contributes the adapter.
 */
export const chatChannel = {
  kinds: ['chat'],
  config: () => null,
  create: (port: ChannelPort): ChatInstance => ({
    adapters: { chat: createChatAdapter({ verifyToken: (token) => port.verifyVisitorToken(token) }) },
    start: async () => {},
    stop: async () => {},
  }),
  // Hosting is listed for every channel by the record itself; the chat involves no other processor.
  art30: { processors: [], activities: [] },
} satisfies ChannelModule<'chat', null, ChatInstance>;
