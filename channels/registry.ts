import type { ChannelKind } from '../drizzle/schema/enums.ts';
import type { IdentityKind } from '../drizzle/schema/enums.ts';
import type { ChannelAdapter } from './types.ts';
import { createChatAdapter, type ChatAdapterDeps } from './chat/adapter.ts';
import { createEmailAdapter, type EmailAdapterDeps } from './email/adapter.ts';
import { createSlackAdapter, type SlackAdapterDeps } from './slack/adapter.ts';
import { createSmsAdapter } from './twilio/sms.ts';
import { createVoiceAdapter } from './twilio/voice.ts';
import type { TwilioAdapterDeps } from './twilio/sender.ts';

export type AdapterDeps = ChatAdapterDeps &
  EmailAdapterDeps & {
    twilio: TwilioAdapterDeps;
    /** Present when the Slack app is configured (SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN). */
    slack?: SlackAdapterDeps;
  };

/**
 * Every channel kind, one entry each (the `satisfies` makes a missing kind a compile error).
 * `null` means this build has no adapter for the kind yet: conversations of that channel can be
 * stored and read, but a reply fails visibly with `channel_unavailable` instead of vanishing.
 */
export function createAdapters(deps: AdapterDeps) {
  return {
    chat: createChatAdapter(deps),
    email: createEmailAdapter(deps),
    sms: createSmsAdapter(deps.twilio),
    voice: createVoiceAdapter(deps.twilio),
    slack: deps.slack ? createSlackAdapter(deps.slack) : null,
  } satisfies Record<ChannelKind, ChannelAdapter<never> | null>;
}
export type Adapters = ReturnType<typeof createAdapters>;

/** Which identity of a contact a channel delivers to. */
export const identityKindOf = {
  chat: 'visitor',
  email: 'email',
  sms: 'phone',
  voice: 'phone',
  slack: 'slack',
} as const satisfies Record<ChannelKind, IdentityKind>;

export function adapterFor(adapters: Adapters, kind: ChannelKind): ChannelAdapter<never> | null {
  return adapters[kind];
}
