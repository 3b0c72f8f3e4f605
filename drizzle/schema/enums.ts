import { pgEnum } from 'drizzle-orm/pg-core';

// Channel kinds are listed once here; channels/registry.ts must cover every one of them.
export const channelKinds = ['chat', 'email', 'sms', 'voice', 'slack'] as const;
export type ChannelKind = (typeof channelKinds)[number];
export const channelEnum = pgEnum('channel', channelKinds);

export const identityKinds = ['visitor', 'email', 'phone', 'slack'] as const;
export type IdentityKind = (typeof identityKinds)[number];
export const identityKindEnum = pgEnum('identity_kind', identityKinds);

// Where a participant of a conversation appeared: the From, To or Cc of a mail in it.
export const participantRoles = ['from', 'to', 'cc'] as const;
export type ParticipantRole = (typeof participantRoles)[number];
export const participantRoleEnum = pgEnum('participant_role', participantRoles);

export const conversationStatuses = ['bot', 'open', 'pending', 'resolved'] as const;
export type ConversationStatus = (typeof conversationStatuses)[number];
export const conversationStatusEnum = pgEnum('conversation_status', conversationStatuses);

export const agentRoles = ['agent', 'manager', 'admin'] as const;
export type AgentRole = (typeof agentRoles)[number];
export const agentRoleEnum = pgEnum('agent_role', agentRoles);

/** all: every inbox; restricted: the inboxes chosen for the agent and their teams' (server/domain/scope.ts). */
export const inboxScopes = ['all', 'restricted'] as const;
export type InboxScope = (typeof inboxScopes)[number];
export const inboxScopeEnum = pgEnum('inbox_scope', inboxScopes);

export const messageDirections = ['inbound', 'outbound', 'internal'] as const;
export type MessageDirection = (typeof messageDirections)[number];
export const messageDirectionEnum = pgEnum('message_direction', messageDirections);

export const authorKinds = ['contact', 'agent', 'bot', 'system'] as const;
export type AuthorKind = (typeof authorKinds)[number];
export const authorKindEnum = pgEnum('author_kind', authorKinds);

// note: never leaves the system; event: a timeline marker (assignment, status change, redaction ...)
export const messageKinds = ['message', 'note', 'event'] as const;
export type MessageKind = (typeof messageKinds)[number];
export const messageKindEnum = pgEnum('message_kind', messageKinds);

// received: inbound; stored: notes and timeline events, which are never delivered anywhere.
export const deliveryStates = ['received', 'stored', 'pending', 'sent', 'delivered', 'failed'] as const;
export type DeliveryState = (typeof deliveryStates)[number];
export const deliveryStateEnum = pgEnum('delivery_state', deliveryStates);

/**
 * `bot_training`: a customer's questions that agents answered may become example questions of the bot's
 * knowledge base, after an admin's review (issue 16 item 8). Off until recorded as granted.
 */
export const consentPurposes = ['support', 'analytics', 'call_recording', 'marketing', 'bot_training'] as const;
export type ConsentPurpose = (typeof consentPurposes)[number];
export const consentPurposeEnum = pgEnum('consent_purpose', consentPurposes);

// Every kind of data the retention engine can expire, each with one policy.
export const retentionClasses = ['messages', 'attachments', 'recordings', 'inactive_contacts', 'bot_logs'] as const;
export type RetentionClass = (typeof retentionClasses)[number];
export const retentionClassEnum = pgEnum('retention_class', retentionClasses);
