import { isIP } from 'node:net';
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';
import { resolve } from 'node:path';
import { embedderConfigFromEnv, type EmbedderConfig } from '../bot/embedders/index.ts';
import { channelConfigsFromEnv, type ChannelConfigs, type ChannelModules } from '../channels/registry.ts';
import { ChannelConfigError } from '../channels/module.ts';
import { parseAllowHosts, type AllowEntry } from './http/outbound.ts';
import { KeyError, parseKey } from './security/keys.ts';

/**
 * Configuration comes only from the environment and is validated once at start-up:
 * a bad value throws a ConfigError naming the variable, and the server does not start.
 */
export type Config = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /**
   * Prefix of the Redis channels and keys (socket.io fan-out, shared rate limits): servers sharing rooms use the
   * same one.
   */
  redisPrefix: string;
  adminEmail: string;
  adminPassword: string | undefined;
  publicUrl: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  seedDemo: boolean;
  messageMaxChars: number;
  sessionTtlHours: number;
  /**
   * Which proxies may tell the client's address in X-Forwarded-For (Fastify's `trustProxy`): none (false), or
   * their addresses/CIDRs. Rate limits count per client address.
   */
  trustProxy: false | string[];
  /** A visitor token unused for this many days stops working (the widget starts again at the notice). */
  visitorTokenIdleDays: number;
  /** Named in the Article 30 record and in the widget's consent notice. */
  controllerName: string;
  controllerContact: string | undefined;
  /** PRIVACY_POLICY_URL: the controller's privacy policy, linked from the consent notice and the record. */
  privacyPolicyUrl: string | undefined;
  /**
   * PHONE_REGION: the country (ISO 3166-1 alpha-2, e.g. FI) of phone numbers customers type without their country
   * code ("040 123 4567" on the request page); unset: a number needs its country code.
   */
  phoneRegion: CountryCode | undefined;
  /** HOSTING_PROVIDER, HOSTING_COUNTRY, HOSTING_TRANSFER_BASIS: who hosts this server, for the Art. 30 record. */
  hosting: { name: string; country: string; transferBasis: string };
  /** Whether new chat conversations start with the bot (admins can change it in the inbox). */
  botEnabled: boolean;
  botEmbedder: EmbedderConfig;
  /** Analytics: a figure built from fewer distinct contacts than this is suppressed ("fewer than k"). */
  analyticsMinCohort: number;
  /** A tightened retention policy starts deleting this many hours after it is saved, unless applied at once. */
  retentionGraceHours: number;
  /** Days a conversation an agent deleted stays in the trash, restorable by an admin, before the sweep purges it. */
  trashRetainDays: number;
  /**
   * After an erasure the tables it touched are rewritten so the erased text leaves the data files
   * (erased-subjects.ts). A table up to ERASURE_SCRUB_NOW_MAX_MB (total, with indexes) is rewritten within a
   * minute; a larger one waits for ERASURE_SCRUB_WINDOW (UTC, "HH:MM-HH:MM"), because the rewrite locks it.
   */
  erasureScrub: { nowMaxBytes: number; window: { startMinute: number; endMinute: number } };
  /** Non-public destinations outbound requests may reach anyway (OUTBOUND_ALLOW_HOSTS; server/http/outbound.ts). */
  outboundAllowHosts: AllowEntry[];
  /**
   * The master key that encrypts the secrets at rest (server/security/keys.ts): ENCRYPTION_KEY (base64, 32 bytes)
   * or, when unset, the key file DATA_DIR/master.key; ENCRYPTION_DECRYPT_KEYS: keys that only decrypt (rotation).
   */
  encryptionKey: string | undefined;
  decryptKeys: string[];
  /** Each channel module's own settings (EMAIL_*, SLACK_*, TWILIO_*), parsed by the module (channels/registry.ts). */
  channels: ChannelConfigs;
  /** Files from the widget and the composer (server/domain/uploads.ts): UPLOAD_MAX_BYTES, _FILES, _ALLOWED_TYPES. */
  uploads: { maxBytes: number; maxFiles: number; allowedTypes: string[] | null };
  /** How long a signed link to a file stays valid (FILE_LINK_TTL_HOURS; server/domain/uploads-links.ts). */
  fileLinkTtlHours: number;
  /** Requests one API token may make per minute (API_TOKEN_RATE_PER_MINUTE; server/security/api-tokens.ts). */
  apiTokenRatePerMinute: number;
};

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`Invalid configuration: ${variable} ${reason}`);
  }
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
  }
  return raw;
}

/** "HH:MM-HH:MM" as minutes of the day (the end may be past midnight: 23:00-02:00). */
function minuteWindow(env: Env, name: string, fallback: string): { startMinute: number; endMinute: number } {
  const raw = env[name] || fallback;
  const match = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(raw);
  if (!match) throw new ConfigError(name, `must look like 02:00-05:00 (UTC), got "${raw}"`);
  const [, h1, m1, h2, m2] = match.map(Number);
  const startMinute = h1! * 60 + m1!;
  const endMinute = h2! * 60 + m2!;
  if (startMinute === endMinute) throw new ConfigError(name, 'must not start and end at the same time');
  return { startMinute, endMinute };
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function botEmbedder(env: Env): EmbedderConfig {
  try {
    return embedderConfigFromEnv(env);
  } catch (err) {
    const message = (err as Error).message;
    const variable = /^(BOT_[A-Z_]+)/.exec(message)?.[1] ?? 'BOT_EMBEDDER';
    throw new ConfigError(variable, message.replace(/^BOT_[A-Z_]+ /, ''));
  }
}

function channels(env: Env, modules: ChannelModules | undefined): ChannelConfigs {
  try {
    return channelConfigsFromEnv(env, modules);
  } catch (err) {
    if (err instanceof ChannelConfigError) throw new ConfigError(err.variable, err.reason);
    throw err;
  }
}

function outboundAllowHosts(env: Env): AllowEntry[] {
  try {
    return parseAllowHosts(env.OUTBOUND_ALLOW_HOSTS);
  } catch (err) {
    throw new ConfigError('OUTBOUND_ALLOW_HOSTS', (err as Error).message);
  }
}

function redisPrefix(env: Env): string {
  const raw = env.REDIS_PREFIX || 'inbox';
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(raw))
    throw new ConfigError('REDIS_PREFIX', 'must be 1-64 characters of A-Z, a-z, 0-9, _ . : -');
  return raw;
}

/** Names proxy-addr (behind Fastify's trustProxy) accepts besides addresses. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY: unset trusts no proxy, so X-Forwarded-For is ignored and a client cannot choose the address its
 * rate limits count. A list of addresses/CIDRs names the proxies in front of the server. Refused: `true`
 * (trust whoever sends the header: exactly what lets a client forge its address) and a hop count (Fastify 5
 * trusts no one for a bare count, since a count cannot tell a proxy from a client that sends enough hops).
 */
function trustProxy(env: Env): Config['trustProxy'] {
  const raw = (env.TRUST_PROXY ?? '').trim();
  if (raw === '' || raw === 'false') return false;
  const entries = raw.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    if (!validProxyEntry(entry)) {
      throw new ConfigError(
        'TRUST_PROXY',
        `must be a comma-separated list of the proxies' IP addresses or CIDRs (or ${PROXY_RANGES.join(', ')}); ` +
          `"${entry}" is none of these`,
      );
    }
  }
  return entries;
}

function validProxyEntry(entry: string): boolean {
  if (PROXY_RANGES.includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function keys(env: Env): { encryptionKey: string | undefined; decryptKeys: string[] } {
  const encryptionKey = env.ENCRYPTION_KEY?.trim() || undefined;
  const decryptKeys = (env.ENCRYPTION_DECRYPT_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  try {
    if (encryptionKey) parseKey(encryptionKey, 'ENCRYPTION_KEY');
    decryptKeys.forEach((k) => parseKey(k, 'ENCRYPTION_DECRYPT_KEYS'));
  } catch (err) {
    // The message names the variable only: a key, even a malformed one, never reaches the output.
    if (err instanceof KeyError) throw new ConfigError(err.variable, 'must hold 32 random bytes in base64');
    throw err;
  }
  return { encryptionKey, decryptKeys };
}

/** Free text for the record: an unset value is a stated default that names its variable. */
function recordText(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  if (!raw) return `${fallback} (default; set ${name})`;
  if (raw.length > 300) throw new ConfigError(name, 'must be at most 300 characters');
  return raw;
}

/** The controller's name while CONTROLLER_NAME is unset (the record and the DPIA say it in the admin's language). */
export const DEFAULT_CONTROLLER_NAME = 'The operator of this support inbox (set CONTROLLER_NAME)';

function hosting(env: Env): Config['hosting'] {
  return {
    name: recordText(env, 'HOSTING_PROVIDER', 'the operator’s own infrastructure'),
    country: recordText(env, 'HOSTING_COUNTRY', 'where the operator runs the server'),
    transferBasis: recordText(env, 'HOSTING_TRANSFER_BASIS', 'none (no transfer outside the EU/EEA)'),
  };
}

function phoneRegion(env: Env): CountryCode | undefined {
  const raw = env.PHONE_REGION?.trim().toUpperCase();
  if (!raw) return undefined;
  if (!isSupportedCountry(raw))
    throw new ConfigError('PHONE_REGION', `must be a country code such as FI, got "${raw}"`);
  return raw;
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** `modules`: the channel modules whose settings to parse (channels/registry.ts by default; tests add one). */
export function loadConfig(env: Env = process.env, modules?: ChannelModules): Config {
  const port = int(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST || '0.0.0.0';
  const adminEmail = env.ADMIN_EMAIL || 'admin@example.com';
  if (!/^[^@\s]+@[^@\s]+$/.test(adminEmail)) throw new ConfigError('ADMIN_EMAIL', 'must be an email address');
  const adminPassword = env.ADMIN_PASSWORD || undefined;
  if (adminPassword !== undefined && adminPassword.length < 10) {
    throw new ConfigError('ADMIN_PASSWORD', 'must be at least 10 characters');
  }
  const logLevel = (env.LOG_LEVEL || 'info') as Config['logLevel'];
  if (!logLevels.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${logLevels.join(', ')}`);
  const publicUrl = url(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port || 3000}`;
  return {
    port,
    host,
    dataDir: resolve(env.DATA_DIR || './data'),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    redisPrefix: redisPrefix(env),
    adminEmail,
    adminPassword,
    publicUrl: publicUrl.replace(/\/$/, ''),
    logLevel,
    seedDemo: bool(env, 'SEED_DEMO', true),
    messageMaxChars: int(env, 'MESSAGE_MAX_CHARS', 10_000, 100, 1_000_000),
    sessionTtlHours: int(env, 'SESSION_TTL_HOURS', 12, 1, 24 * 90),
    trustProxy: trustProxy(env),
    visitorTokenIdleDays: int(env, 'VISITOR_TOKEN_IDLE_DAYS', 30, 1, 3650),
    controllerName: env.CONTROLLER_NAME || DEFAULT_CONTROLLER_NAME,
    controllerContact: env.CONTROLLER_CONTACT || undefined,
    privacyPolicyUrl: url(env, 'PRIVACY_POLICY_URL', ['https:', 'http:']),
    phoneRegion: phoneRegion(env),
    hosting: hosting(env),
    botEnabled: bool(env, 'BOT_ENABLED', true),
    botEmbedder: botEmbedder(env),
    analyticsMinCohort: int(env, 'ANALYTICS_MIN_COHORT', 5, 1, 1000),
    retentionGraceHours: int(env, 'RETENTION_GRACE_HOURS', 24, 0, 24 * 90),
    trashRetainDays: int(env, 'TRASH_RETAIN_DAYS', 30, 1, 365),
    erasureScrub: {
      nowMaxBytes: int(env, 'ERASURE_SCRUB_NOW_MAX_MB', 256, 0, 1_000_000) * 1024 * 1024,
      window: minuteWindow(env, 'ERASURE_SCRUB_WINDOW', '02:00-05:00'),
    },
    outboundAllowHosts: outboundAllowHosts(env),
    ...keys(env),
    channels: channels(env, modules),
    uploads: {
      maxBytes: int(env, 'UPLOAD_MAX_BYTES', 10 * 1024 * 1024, 1024, 100 * 1024 * 1024),
      maxFiles: int(env, 'UPLOAD_MAX_FILES', 5, 1, 20),
      allowedTypes: allowedTypes(env),
    },
    fileLinkTtlHours: int(env, 'FILE_LINK_TTL_HOURS', 24 * 7, 1, 24 * 365),
    apiTokenRatePerMinute: int(env, 'API_TOKEN_RATE_PER_MINUTE', 600, 1, 100_000),
  };
}

/** UPLOAD_ALLOWED_TYPES: comma-separated MIME types or families (`image/*`); unset: anything not executable. */
function allowedTypes(env: Env): string[] | null {
  const raw = env.UPLOAD_ALLOWED_TYPES?.trim();
  if (!raw) return null;
  const types = raw
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
  const bad = types.find((t) => !/^[a-z0-9.+-]+\/([a-z0-9.+-]+|\*)$/.test(t));
  if (bad !== undefined)
    throw new ConfigError('UPLOAD_ALLOWED_TYPES', `has "${bad}", which is not a MIME type or type/*`);
  return types;
}
