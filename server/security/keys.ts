import { createHmac, randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Master keys: where the keys that encrypt the secrets at rest come from (server/security/secret-box.ts), and
 * later the per-person data keys of issue 22. A ciphertext names its key by id, so a key can be replaced
 * (`npm run keys:rotate`) while older ciphertexts stay readable until they are re-encrypted.
 *
 * Providers:
 * - environment: ENCRYPTION_KEY (base64 of 32 bytes) is the current key;
 * - key file (the default): DATA_DIR/master.key, created on first start with mode 0600, one base64 key a line,
 *   the current key first; a server notices a rewritten file (keys:rotate) without a restart;
 * - ENCRYPTION_DECRYPT_KEYS (comma-separated) adds keys that decrypt only, for a rotation across servers.
 * - an external KMS (Vault, AWS/GCP KMS, an HSM): implement KeyProvider below and hand it to createRoot
 *   (RootOptions.keys). It must return the same keys, with the same ids, on every server of an installation.
 */
export type MasterKey = { readonly id: string; readonly key: Buffer };

export interface KeyProvider {
  /** Where the keys come from, for messages (never the key itself). */
  readonly source: string;
  /** The key new ciphertexts are written under. */
  current(): MasterKey;
  /** The key a ciphertext names, if this server has it. */
  byId(id: string): MasterKey | undefined;
}

export const KEY_BYTES = 32;
export const KEY_FILE_NAME = 'master.key';

/** A bad or missing key; carries the variable (or file) to fix. The server does not start with one. */
export class KeyError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`${variable} ${reason}`);
  }
}

/**
 * A key's id: a keyed hash of the key itself, so every server holding the key computes the same id without
 * any shared state, and the id reveals nothing about the key.
 */
export function keyIdOf(key: Buffer): string {
  return createHmac('sha256', key).update('privacy-inbox master key id v1').digest('base64url').slice(0, 16);
}

export const masterKey = (key: Buffer): MasterKey => ({ id: keyIdOf(key), key });

export function generateKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** Strict base64 of exactly 32 bytes (what `openssl rand -base64 32` prints). */
export function parseKey(raw: string, variable: string): Buffer {
  const text = raw.trim();
  const key = Buffer.from(text, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || key.length !== KEY_BYTES || key.toString('base64') !== text)
    throw new KeyError(variable, 'must be 32 random bytes in base64 (e.g. the output of openssl rand -base64 32)');
  return key;
}

/** A fixed list of keys, the first one current (ENCRYPTION_KEY, tests, a KMS that fetched its keys at start). */
export function staticKeyProvider(keys: Buffer[], source: string): KeyProvider {
  if (keys.length === 0) throw new KeyError(source, 'holds no key');
  const all = keys.map(masterKey);
  return {
    source,
    current: () => all[0]!,
    byId: (id) => all.find((k) => k.id === id),
  };
}

export function readKeyFile(path: string): Buffer[] {
  const st = statSync(path);
  // Like ssh with a private key: a key file others can read is refused, not merely warned about.
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0)
    throw new KeyError(
      path,
      `is readable by other users (mode ${(st.mode & 0o777).toString(8)}): run chmod 600 ${path}`,
    );
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length === 0) throw new KeyError(path, 'holds no key');
  return lines.map((line, i) => parseKey(line, `${path} (line ${i + 1})`));
}

function writeTemporary(path: string, keys: Buffer[]): string {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${KEY_FILE_NAME}.${randomBytes(6).toString('hex')}`);
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, keys.map((k) => k.toString('base64')).join('\n') + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return temporary;
}

/** Replaces the key file atomically (a temporary file with mode 0600, then a rename), the current key first. */
export function writeKeyFile(path: string, keys: Buffer[]): void {
  renameSync(writeTemporary(path, keys), path);
}

/**
 * Creates the key file unless it exists: written whole under a temporary name, then linked into place, which
 * fails if the file exists. Two servers starting at once on one DATA_DIR: one key wins, none reads half a file.
 */
function createKeyFile(path: string): void {
  const temporary = writeTemporary(path, [generateKey()]);
  try {
    linkSync(temporary, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(temporary);
  }
}

/**
 * The key file as a provider. A file rewritten by `npm run keys:rotate` is read again (its inode, size or time
 * changed) before the next encryption and whenever a ciphertext names a key this process does not know yet.
 */
export function keyFileProvider(path: string, extra: Buffer[] = []): KeyProvider {
  const stamp = () => {
    const st = statSync(path);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  };
  let seen = stamp();
  let keys = [...readKeyFile(path), ...extra].map(masterKey);
  const reload = () => {
    try {
      const now = stamp();
      if (now === seen) return;
      keys = [...readKeyFile(path), ...extra].map(masterKey);
      seen = now;
    } catch {
      // A file being replaced or briefly unreadable: keep the keys already loaded.
    }
  };
  return {
    source: path,
    current() {
      reload();
      return keys[0]!;
    },
    byId(id) {
      const known = keys.find((k) => k.id === id);
      if (known) return known;
      reload();
      return keys.find((k) => k.id === id);
    },
  };
}

export type KeySettings = {
  /** ENCRYPTION_KEY: the current key, base64; unset means the key file. */
  encryptionKey: string | undefined;
  /** ENCRYPTION_DECRYPT_KEYS: more keys accepted for decryption only. */
  decryptKeys: string[];
  dataDir: string;
};

export const keyFilePath = (dataDir: string) => join(dataDir, KEY_FILE_NAME);

/**
 * Opens the configured keys. `inUse`: the key ids the database's ciphertexts name. A key file is generated only
 * while the database holds no ciphertext: a second server of an installation that lacks the key is refused with
 * what to copy, instead of silently starting with a key of its own.
 */
export function openKeyProvider(settings: KeySettings, inUse: ReadonlySet<string>): KeyProvider {
  const extra = settings.decryptKeys.map((k) => parseKey(k, 'ENCRYPTION_DECRYPT_KEYS'));
  let provider: KeyProvider;
  if (settings.encryptionKey) {
    provider = staticKeyProvider([parseKey(settings.encryptionKey, 'ENCRYPTION_KEY'), ...extra], 'ENCRYPTION_KEY');
  } else {
    const path = keyFilePath(settings.dataDir);
    let exists = true;
    try {
      statSync(path);
    } catch {
      exists = false;
    }
    if (!exists) {
      if (inUse.size > 0)
        throw new KeyError(
          'ENCRYPTION_KEY',
          `is unset and ${path} does not exist, but the database holds secrets encrypted under key ` +
            `${[...inUse].join(', ')}: copy master.key from another server of this installation (or its backup) ` +
            'into DATA_DIR, or set ENCRYPTION_KEY to that key',
        );
      createKeyFile(path);
    }
    provider = keyFileProvider(path, extra);
  }
  assertKeysCover(provider, inUse);
  return provider;
}

/** Refuses a provider that lacks a key the database's ciphertexts name (a server given another key). */
export function assertKeysCover(provider: KeyProvider, inUse: ReadonlySet<string>): void {
  const missing = [...inUse].filter((id) => !provider.byId(id));
  if (missing.length > 0)
    throw new KeyError(
      provider.source,
      `does not hold key ${missing.join(', ')}, under which the database's secrets are encrypted: every server ` +
        'of an installation needs the same key (and ENCRYPTION_DECRYPT_KEYS the previous one during a rotation)',
    );
}
