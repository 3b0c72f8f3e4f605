import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../server/config.ts';
import {
  generateKey,
  KeyError,
  keyFileProvider,
  openKeyProvider,
  staticKeyProvider,
  writeKeyFile,
} from '../../server/security/keys.ts';
import {
  createSecretBox,
  secretContext,
  sealedKeyId,
  SecretUnreadableError,
} from '../../server/security/secret-box.ts';

const withDir = (fn: (dir: string) => void) => {
  const dir = mkdtempSync(join(tmpdir(), 'keys-test-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
const settings = (dataDir: string, encryptionKey?: string) => ({ encryptionKey, decryptKeys: [], dataDir });

describe('secret box', () => {
  const box = createSecretBox(staticKeyProvider([generateKey()], 'test'));
  const here = secretContext.inboxSetting('11111111-1111-4111-8111-111111111111', 'imap.password');
  const there = secretContext.inboxSetting('22222222-2222-4222-8222-222222222222', 'imap.password');

  it('seals with a fresh IV under a named key and opens only in the same place', () => {
    const sealed = box.seal('app-password-1234', here);
    expect(sealed).not.toContain('app-password-1234');
    expect(sealedKeyId(sealed)).toBe(box.currentKeyId());
    expect(box.seal('app-password-1234', here)).not.toBe(sealed);
    expect(box.open(sealed, here)).toBe('app-password-1234');
    // Another inbox, another column: the additional authenticated data differs, nothing opens.
    expect(() => box.open(sealed, there)).toThrow(SecretUnreadableError);
    expect(() =>
      box.open(sealed, secretContext.inboxSetting('11111111-1111-4111-8111-111111111111', 'smtp.password')),
    ).toThrow(SecretUnreadableError);
  });

  it('refuses altered ciphertexts, a renamed key id and unknown keys', () => {
    const sealed = box.seal('secret', here);
    const [prefix, version, id, iv, data] = sealed.split(':');
    const flipped = Buffer.from(data!, 'base64url');
    flipped[0]! ^= 1;
    expect(() => box.open([prefix, version, id, iv, flipped.toString('base64url')].join(':'), here)).toThrow(
      SecretUnreadableError,
    );
    const otherBox = createSecretBox(staticKeyProvider([generateKey()], 'other'));
    expect(() => otherBox.open(sealed, here)).toThrow(/not configured on this server/);
    expect(() => box.open('secret', here)).toThrow(SecretUnreadableError);
  });
});

describe('key provider', () => {
  it('creates DATA_DIR/master.key with mode 0600 on first start and reads the same key afterwards', () =>
    withDir((dir) => {
      const first = openKeyProvider(settings(dir), new Set());
      const path = join(dir, 'master.key');
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(openKeyProvider(settings(dir), new Set()).current().id).toBe(first.current().id);
    }));

  it('refuses a key file others can read', () =>
    withDir((dir) => {
      openKeyProvider(settings(dir), new Set());
      chmodSync(join(dir, 'master.key'), 0o644);
      expect(() => openKeyProvider(settings(dir), new Set())).toThrow(/readable by other users .*chmod 600/);
    }));

  it('does not make up a key for a database whose secrets use another one', () =>
    withDir((dir) => {
      expect(() => openKeyProvider(settings(dir), new Set(['abc']))).toThrow(/copy master.key/);
      expect(existsSync(join(dir, 'master.key'))).toBe(false);
      const key = generateKey().toString('base64');
      expect(() => openKeyProvider(settings(dir, key), new Set(['abc']))).toThrow(/every server of an installation/);
    }));

  it('takes ENCRYPTION_KEY instead of the file, and refuses anything but 32 bytes of base64', () =>
    withDir((dir) => {
      const key = generateKey();
      const provider = openKeyProvider(settings(dir, key.toString('base64')), new Set());
      expect(provider.current().id).toBe(staticKeyProvider([key], 'x').current().id);
      expect(existsSync(join(dir, 'master.key'))).toBe(false);
      expect(() => openKeyProvider(settings(dir, 'c2hvcnQ='), new Set())).toThrow(KeyError);
    }));

  it('stops the configuration at a malformed ENCRYPTION_KEY, naming the variable but never the value', () => {
    const bad = 'not-a-key-but-maybe-a-secret';
    expect(() => loadConfig({ ENCRYPTION_KEY: bad })).toThrow(
      new ConfigError('ENCRYPTION_KEY', 'must hold 32 random bytes in base64'),
    );
    expect(() => loadConfig({ ENCRYPTION_DECRYPT_KEYS: `${generateKey().toString('base64')},${bad}` })).toThrow(
      new ConfigError('ENCRYPTION_DECRYPT_KEYS', 'must hold 32 random bytes in base64'),
    );
  });

  it('notices a rewritten key file (keys:rotate) without a restart', () =>
    withDir((dir) => {
      const path = join(dir, 'master.key');
      const old = generateKey();
      writeKeyFile(path, [old]);
      const box = createSecretBox(keyFileProvider(path));
      const reader = createSecretBox(keyFileProvider(path)); // another server process on the same DATA_DIR
      const before = box.seal('x', 'ctx');
      const next = generateKey();
      writeKeyFile(path, [next, old]);
      expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(2);
      // The next encryption uses the new key; the old ciphertext still opens.
      const written = box.seal('y', 'ctx');
      expect(sealedKeyId(written)).toBe(staticKeyProvider([next], 'x').current().id);
      expect(box.open(before, 'ctx')).toBe('x');
      // A process that has not encrypted since: it meets a key id it does not know and reads the file again.
      expect(reader.open(written, 'ctx')).toBe('y');
      // A file made unreadable while running: the keys already loaded are kept.
      writeFileSync(path, '');
      expect(box.open(written, 'ctx')).toBe('y');
    }));
});
