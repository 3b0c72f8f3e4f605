import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyProvider } from './keys.ts';

/**
 * Secrets at rest (mailbox passwords, provider tokens, the visitor-token secret): AES-256-GCM under a master key
 * (server/security/keys.ts). A sealed value is one string, stored where the plaintext was:
 *
 *   sealed:v1:<key id>:<iv, base64url>:<ciphertext and tag, base64url>
 *
 * The key id says which key opens it. The additional authenticated data is the key id and a context naming the
 * row and column the value belongs to (secretContext), so a ciphertext copied to another inbox or column does
 * not open there.
 */
export const SEALED_PREFIX = 'sealed:v1:';

export class SecretUnreadableError extends Error {
  constructor(reason: string) {
    super(`stored secret unreadable: ${reason}`);
  }
}

export type SecretBox = {
  seal(plaintext: string, context: string): string;
  /** Throws SecretUnreadableError when the key is missing or the value does not authenticate in this context. */
  open(sealed: string, context: string): string;
  /** The id of the key that encrypts new values. */
  currentKeyId(): string;
};

export const isSealed = (value: unknown): value is string =>
  typeof value === 'string' && value.startsWith(SEALED_PREFIX);

/** The key id a sealed value names, or null when the value is not sealed. */
export function sealedKeyId(value: unknown): string | null {
  if (!isSealed(value)) return null;
  return value.slice(SEALED_PREFIX.length).split(':')[0] ?? null;
}

/** Where a secret lives: the additional authenticated data that binds its ciphertext to that place. */
export const secretContext = {
  inboxSetting: (inboxId: string, path: string) => `inboxes.settings/${inboxId}/${path}`,
  instanceSetting: (key: string) => `instance_settings.value/${key}`,
  webhookSecret: (subscriptionId: string) => `webhook_subscriptions.secret/${subscriptionId}`,
};

/**
 * AES-256-GCM of one value under a given key, as `<prefix><key id>:<iv>:<ciphertext and tag>` (base64url), the
 * additional authenticated data binding it to the key id and a context. The one string format for values at
 * rest: secrets under the master key (below), and personal data under a person's data key (data-keys.ts).
 */
export function sealWithKey(prefix: string, id: string, key: Buffer, plaintext: string | Buffer, context: string) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`${prefix}${id}\n${context}`, 'utf8'));
  const data = Buffer.concat([
    typeof plaintext === 'string' ? cipher.update(plaintext, 'utf8') : cipher.update(plaintext),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return `${prefix}${id}:${iv.toString('base64url')}:${data.toString('base64url')}`;
}

/** The key id a value sealed with `prefix` names, or null when it is not such a value. */
export function sealedIdOf(prefix: string, sealed: unknown): string | null {
  if (typeof sealed !== 'string' || !sealed.startsWith(prefix)) return null;
  const parts = sealed.slice(prefix.length).split(':');
  return parts.length === 3 && parts[0] ? parts[0] : null;
}

/** Opens what sealWithKey wrote; `keyOf` finds the key the value names. Throws SecretUnreadableError. */
export function openWithKey(
  prefix: string,
  sealed: string,
  context: string,
  keyOf: (id: string) => Buffer | undefined,
  missing: (id: string) => string,
): Buffer {
  if (!sealed.startsWith(prefix)) throw new SecretUnreadableError('not a sealed value');
  const [id, ivText, dataText, ...rest] = sealed.slice(prefix.length).split(':');
  if (!id || !ivText || !dataText || rest.length > 0) throw new SecretUnreadableError('malformed');
  const key = keyOf(id);
  if (!key) throw new SecretUnreadableError(missing(id));
  const iv = Buffer.from(ivText, 'base64url');
  const data = Buffer.from(dataText, 'base64url');
  if (iv.length !== 12 || data.length < 16) throw new SecretUnreadableError('malformed');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(`${prefix}${id}\n${context}`, 'utf8'));
    decipher.setAuthTag(data.subarray(data.length - 16));
    return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]);
  } catch {
    throw new SecretUnreadableError('does not authenticate here (another row, or altered)');
  }
}

export function createSecretBox(keys: KeyProvider): SecretBox {
  return {
    seal(plaintext, context) {
      const { id, key } = keys.current();
      return sealWithKey(SEALED_PREFIX, id, key, plaintext, context);
    },
    open(sealed, context) {
      if (!isSealed(sealed)) throw new SecretUnreadableError('not a sealed value');
      return openWithKey(
        SEALED_PREFIX,
        sealed,
        context,
        (id) => keys.byId(id)?.key,
        (id) => `key ${id} is not configured on this server`,
      ).toString('utf8');
    },
    currentKeyId: () => keys.current().id,
  };
}
