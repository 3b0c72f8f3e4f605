/** The server's view types (type-only: nothing of the server is bundled into the inbox). */
export type {
  AgentView,
  MessageView,
  AttachmentView,
  ConversationView,
  ContactView,
  ConsentState,
  InboxView,
  ErrorView,
} from '../../../server/http/views.ts';
export type {
  AgentCreateRequest,
  AgentList,
  AgentResult,
  AgentUpdateRequest,
  SessionView,
  AgentAccessView,
  AgentAccessRequest,
  TeamView,
  TeamRequest,
  TeamSummary,
} from '../../../server/http/views/agents.ts';
export type {
  ConversationDetail,
  ConversationPage,
  ConversationResult,
  InboxList,
  MessageResult,
} from '../../../server/http/views/conversations.ts';
export type { AgentServerEvents, AgentClientEvents } from '../../../server/realtime/event-map.ts';

import type { ConversationView, MessageView, AgentView, ConsentState } from '../../../server/http/views.ts';

export type ChannelKind = ConversationView['channel'];
export type ConversationStatus = ConversationView['status'];
export type AgentRole = AgentView['role'];
export type ConsentPurpose = ConsentState['purpose'];
export type DeliveryState = MessageView['deliveryState'];
