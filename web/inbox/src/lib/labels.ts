import type { AgentRole, ChannelKind, ConsentPurpose, ConversationStatus, DeliveryState } from '../types.ts';

/**
 * Display labels. Each map is a Record over the server's union type, so adding a channel, status,
 * role or purpose on the server fails the typecheck here until it has a label.
 */
export const channelLabels: Record<ChannelKind, string> = {
  chat: 'Chat',
  email: 'Email',
  sms: 'SMS',
  voice: 'Call',
  slack: 'Slack',
};
export const channels = Object.keys(channelLabels) as ChannelKind[];

/** How a reply travels: a reply to a phone call goes back as an SMS from the same number. */
export const replyChannelLabels: Record<ChannelKind, string> = { ...channelLabels, voice: 'SMS to the caller' };

export const statusLabels: Record<ConversationStatus, string> = {
  bot: 'Bot',
  open: 'Open',
  pending: 'Pending',
  resolved: 'Resolved',
};

export const roleLabels: Record<AgentRole, string> = {
  agent: 'Agent',
  manager: 'Manager',
  admin: 'Admin',
};
export const roles = Object.keys(roleLabels) as AgentRole[];

export const purposeLabels: Record<ConsentPurpose, string> = {
  support: 'Support',
  analytics: 'Analytics',
  call_recording: 'Call recording',
  marketing: 'Marketing',
  bot_training: 'Bot learning from answered questions',
};
export const purposes = Object.keys(purposeLabels) as ConsentPurpose[];

export const deliveryLabels: Record<DeliveryState, string> = {
  received: 'Received',
  stored: 'Saved',
  pending: 'Sending…',
  sent: 'Sent',
  delivered: 'Delivered',
  failed: 'Not delivered',
};

export const identityLabels: Record<string, string> = {
  visitor: 'Chat visitor',
  email: 'Email',
  phone: 'Phone',
  slack: 'Slack',
};
