import type { AgentRole, ChannelKind, ConsentPurpose, ConversationStatus, DeliveryState } from '../types.ts';
import { t } from './i18n.svelte.ts';

/**
 * Display labels. Each map is a Record over the server's union type, so adding a channel, status,
 * role or purpose on the server fails the typecheck here until it has a label. Each label is a getter that reads
 * the catalog (labels.<group>.<value>), so `channelLabels.email` is in the inbox's current language and a
 * component showing it re-renders when the language changes.
 */
function labels<K extends string>(group: string, values: readonly K[]): Record<K, string> {
  const map = {} as Record<K, string>;
  for (const value of values)
    Object.defineProperty(map, value, { enumerable: true, get: () => t(`labels.${group}.${value}`) });
  return map;
}

export const channelLabels = labels<ChannelKind>('channel', ['chat', 'email', 'sms', 'voice', 'slack']);
export const channels = Object.keys(channelLabels) as ChannelKind[];

/** How a reply travels: a reply to a phone call goes back as an SMS from the same number. */
export const replyChannelLabels = labels<ChannelKind>('replyChannel', channels);

export const statusLabels = labels<ConversationStatus>('status', ['bot', 'open', 'pending', 'resolved']);

export const roleLabels = labels<AgentRole>('role', ['agent', 'manager', 'admin']);
export const roles = Object.keys(roleLabels) as AgentRole[];

export const purposeLabels = labels<ConsentPurpose>('purpose', [
  'support',
  'analytics',
  'call_recording',
  'marketing',
  'bot_training',
]);
export const purposes = Object.keys(purposeLabels) as ConsentPurpose[];

export const deliveryLabels = labels<DeliveryState>('delivery', [
  'received',
  'stored',
  'pending',
  'sent',
  'delivered',
  'failed',
]);

export const identityLabels: Record<string, string> = labels('identity', ['visitor', 'email', 'phone', 'slack']);
