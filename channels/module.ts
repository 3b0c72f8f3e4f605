import type { FastifyPluginAsync } from 'fastify';
import type { ChannelPort, RecordingProvider } from '../server/channel-port.ts';
import type { Art30Inbox, Art30Part, ChannelAdapter, ChannelKind } from './types.ts';
import type { Translate } from '../web/i18n/index.ts';

/** The process environment, as configuration reads it. */
export type Env = Record<string, string | undefined>;

/** A bad channel setting: server/config.ts turns it into a ConfigError naming the variable, and the server stops. */
export class ChannelConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly reason: string,
  ) {
    super(`${variable} ${reason}`);
  }
}

/** One channel inside a running server: built once by its module's `create`, started and stopped by the registry. */
export type ChannelInstance<Kind extends ChannelKind = ChannelKind> = {
  /** One adapter per kind; null when the channel is not configured (a reply then fails with channel_unavailable). */
  adapters: { [K in Kind]: ChannelAdapter<never> | null };
  /** Its HTTP routes, webhooks and admin routes alike, mounted under `/api` + `prefix`. */
  routes?: { prefix: string; plugin: FastifyPluginAsync };
  /** Where retention and erasure also delete provider-side copies of its call recordings, by provider name. */
  recordingProviders?: Record<string, RecordingProvider>;
  /** Starts its background work (mailbox readers, sweeps); called once, after the routes are mounted. */
  start(): Promise<void>;
  /** Stops that work and waits for what is in flight; the database is still open. */
  stop(): Promise<void>;
};

/**
 * Everything a channel is, in one object (channels/README.md): the kinds it serves, its configuration
 * schema, the factory that builds its adapters, routes and background work from the port, and what it
 * adds to the Art. 30 record. channels/registry.ts lists every module.
 */
export type ChannelModule<Kind extends ChannelKind, Config, Instance extends ChannelInstance<Kind>> = {
  /** The kinds it serves (drizzle/schema/enums.ts), e.g. Twilio: sms and voice. */
  kinds: readonly Kind[];
  /** Parses its settings from the environment; throws ChannelConfigError naming the bad variable. */
  config(env: Env): Config;
  /** Builds the channel once per server process; no I/O until start(). */
  create(port: ChannelPort, config: Config): Instance;
  /**
   * What it adds to the Art. 30 record, from its parsed settings and its inboxes (those of its kinds): processors
   * and activities only for what really connects to a provider, and how each inbox reaches people.
   */
  /** `t`: the record's language (web/i18n server-record namespace, `channels.<module>.*`). */
  art30(config: Config, inboxes: Art30Inbox[], t: Translate): Art30Part;
  /**
   * Dotted paths in inboxes.settings that hold secrets, per kind (e.g. email: imap.password): stored encrypted
   * (ChannelPort.secrets), sealed at start when found in plain text, re-encrypted by `npm run keys:rotate`.
   */
  secretSettings?: Partial<Record<Kind, readonly string[]>>;
};

/**
 * Any channel module, as the registry and the server iterate them: the config is opaque outside its module
 * (`unknown` here, the module's own type inside it; `create` is a method, so it accepts its own config only by
 * the bivariance of method parameters, and the registry only ever hands a module the config it parsed).
 */
export type AnyChannelModule = {
  kinds: readonly ChannelKind[];
  config(env: Env): unknown;
  create(port: ChannelPort, config: unknown): ChannelInstance<never>;
  art30(config: unknown, inboxes: Art30Inbox[], t: Translate): Art30Part;
  secretSettings?: Partial<Record<ChannelKind, readonly string[]>>;
};

/** Where a processor processes the data and on what basis it may (Art. 30(1)(e), Chapter V GDPR). */
export type ProcessorPlace = { country: string; transferBasis: string };

/**
 * `<PREFIX>_PROCESSOR_COUNTRY` and `<PREFIX>_TRANSFER_BASIS` from the environment; an unset one takes the
 * module's default, and the record says that it is a default and which variable sets it.
 */
export function processorPlace(env: Env, prefix: string, defaults: ProcessorPlace): ProcessorPlace {
  const pick = (variable: string, fallback: string) => {
    const raw = env[variable]?.trim();
    if (!raw) return `${fallback} (default; set ${variable})`;
    if (raw.length > 300) throw new ChannelConfigError(variable, 'must be at most 300 characters');
    return raw;
  };
  return {
    country: pick(`${prefix}_PROCESSOR_COUNTRY`, defaults.country),
    transferBasis: pick(`${prefix}_TRANSFER_BASIS`, defaults.transferBasis),
  };
}
