import { Type, type Static } from 'typebox';
import { ContactView, ConversationView, InboxView, MessageView, ParticipantView } from '../views.ts';
import { BotDecisionView } from '../../bot/views.ts';

/** The shapes of /api/conversations, /api/messages and /api/inboxes. */
export const ConversationPage = Type.Object({
  items: Type.Array(ConversationView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export type ConversationPage = Static<typeof ConversationPage>;

/**
 * A conversation with all its messages (oldest first), its contact, the bot's decisions in it and its
 * participants (email: the From/To/Cc of its mails).
 */
export const ConversationDetail = Type.Object({
  conversation: ConversationView,
  messages: Type.Array(MessageView),
  contact: ContactView,
  botDecisions: Type.Array(BotDecisionView),
  participants: Type.Array(ParticipantView),
});
export type ConversationDetail = Static<typeof ConversationDetail>;

export const ConversationResult = Type.Object({ conversation: ConversationView });
export type ConversationResult = Static<typeof ConversationResult>;

export const MessageResult = Type.Object({ message: MessageView });
export type MessageResult = Static<typeof MessageResult>;

export const InboxList = Type.Object({ items: Type.Array(InboxView) });
export type InboxList = Static<typeof InboxList>;
