import type { FastifyPluginAsync } from 'fastify';
import type { ChannelPort, RecordingProvider } from '../server/channel-port.ts';
import type { ChannelKind, IdentityKind } from '../drizzle/schema/enums.ts';
import type { Art30Inbox, Art30Part, ChannelAdapter } from './types.ts';
import type { AnyChannelModule, ChannelInstance, Env } from './module.ts';
import type { Translate } from '../web/i18n/index.ts';
import { serverRecordTranslator } from '../web/i18n/server-catalog.ts';
import { chatChannel } from './chat/module.ts';
import { emailChannel } from './email/module.ts';
import { slackChannel } from './slack/module.ts';
import { twilioChannel } from './twilio/module.ts';

/**
 * Every channel of this build, one module each (channels/README.md says how to add one). The server
 * builds, mounts, starts and stops channels through this list and nowhere else.
 */
export const channelModules = {
  chat: chatChannel,
  email: emailChannel,
  twilio: twilioChannel,
  slack: slackChannel,
} satisfies Record<string, AnyChannelModule>;

/** A list of channel modules by name: `channelModules`, or it plus more (a test's fake fifth channel). */
export type ChannelModules = typeof channelModules & Record<string, AnyChannelModule>;

type Known = typeof channelModules;
// A kind in drizzle/schema/enums.ts that no module serves is a compile error here, naming the kind.
type Unserved = Exclude<ChannelKind, Known[keyof Known]['kinds'][number]>;
const everyKindServed: [Unserved] extends [never] ? true : Unserved = true;
void everyKindServed;

/** Each module's parsed configuration, by module name. */
export type ChannelConfigs = { [N in keyof Known]: ReturnType<Known[N]['config']> };

/** The running channels, by module name (their extra handles typed: e.g. the email readers, the Slack sweep). */
export type Channels = { [N in keyof Known]: ReturnType<Known[N]['create']> };

/** Parses every module's settings; a bad one throws ChannelConfigError naming the variable. */
export function channelConfigsFromEnv(env: Env, modules: ChannelModules = channelModules): ChannelConfigs {
  const entries = Object.entries(modules).map(([name, module]) => [name, module.config(env)]);
  // Each value is the parse of its own module, keyed by the module's name: the shape of ChannelConfigs.
  return Object.fromEntries(entries) as ChannelConfigs;
}

/** Builds every channel once (no I/O) from the port and its configuration. */
export function createChannels(port: ChannelPort, configs: ChannelConfigs, modules: ChannelModules = channelModules) {
  const built = Object.entries(modules as Record<string, AnyChannelModule>).map(([name, module]) => [
    name,
    module.create(port, (configs as Record<string, unknown>)[name]),
  ]);
  // Each instance comes from the module of the same name: the shape of Channels.
  return Object.fromEntries(built) as Channels;
}

const instancesOf = (channels: Channels) => Object.values(channels) as ChannelInstance<never>[];

/**
 * Every channel kind's adapter (the `satisfies` makes a missing kind a compile error). `null` means the
 * channel is not configured: its conversations can be stored and read, but a reply fails visibly with
 * `channel_unavailable` instead of vanishing. Adapters of channels beyond the known four are included too.
 */
export function adaptersOf(channels: Channels) {
  const extra = Object.assign({}, ...instancesOf(channels).map((c) => c.adapters)) as Record<
    string,
    ChannelAdapter<never> | null
  >;
  return {
    ...extra,
    ...channels.chat.adapters,
    ...channels.email.adapters,
    ...channels.twilio.adapters,
    ...channels.slack.adapters,
  } satisfies Record<ChannelKind, ChannelAdapter<never> | null>;
}
export type Adapters = ReturnType<typeof adaptersOf>;

/** Which identity of a contact each known channel delivers to (adapters say it for themselves too). */
export const identityKindOf = {
  chat: 'visitor',
  email: 'email',
  sms: 'phone',
  voice: 'phone',
  slack: 'slack',
} as const satisfies Record<ChannelKind, IdentityKind>;

export function adapterFor(adapters: Adapters, kind: ChannelKind): ChannelAdapter<never> | null {
  return (adapters as Record<string, ChannelAdapter<never> | null>)[kind] ?? null;
}

/** Where provider-side recording copies are deleted, from every channel that has some. */
export function recordingProvidersOf(channels: Channels): Map<string, RecordingProvider> {
  return new Map(instancesOf(channels).flatMap((c) => Object.entries(c.recordingProviders ?? {})));
}

/**
 * What the channels add to the Art. 30 record, from their parsed settings and the inboxes that exist now: each
 * module is given its own configuration and the inboxes of its kinds, and lists only what really connects to a
 * provider (channels/types.ts Art30Part).
 */
export function art30Of(
  configs: ChannelConfigs,
  inboxes: Art30Inbox[],
  modules: ChannelModules = channelModules,
  t: Translate = serverRecordTranslator('en'),
): Art30Part {
  const parts = Object.entries(modules as Record<string, AnyChannelModule>).map(([name, module]) =>
    module.art30(
      (configs as Record<string, unknown>)[name],
      inboxes.filter((i) => (module.kinds as readonly string[]).includes(i.channel)),
      t,
    ),
  );
  return {
    processors: parts.flatMap((p) => p.processors),
    activities: parts.flatMap((p) => p.activities),
    inboxes: Object.assign({}, ...parts.map((p) => p.inboxes)) as Art30Part['inboxes'],
  };
}

/** Where each channel kind keeps secrets in inboxes.settings (server/security/stored-secrets.ts walks them). */
export function secretSettingsOf(modules: ChannelModules = channelModules): Partial<Record<ChannelKind, string[]>> {
  const paths: Partial<Record<ChannelKind, string[]>> = {};
  for (const module of Object.values(modules) as AnyChannelModule[])
    for (const [kind, list] of Object.entries(module.secretSettings ?? {}) as [ChannelKind, readonly string[]][])
      paths[kind] = [...(paths[kind] ?? []), ...list];
  return paths;
}

/** Mounts every channel's routes (webhooks and admin routes) under /api. */
export function channelRoutes(channels: Channels): FastifyPluginAsync {
  return async (app) => {
    for (const channel of instancesOf(channels)) {
      if (channel.routes) await app.register(channel.routes.plugin, { prefix: `/api${channel.routes.prefix}` });
    }
  };
}

/** Starts every channel's background work, in registry order. */
export async function startChannels(channels: Channels): Promise<void> {
  for (const channel of instancesOf(channels)) await channel.start();
}

/** Stops every channel; one failing to stop does not keep the others running. */
export async function stopChannels(channels: Channels): Promise<void> {
  await Promise.allSettled(instancesOf(channels).map((c) => c.stop()));
}
