import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataKeys } from '../../server/security/data-keys.ts';
import { createFileKeyStore } from '../../server/security/key-store.ts';
import { generateKey, staticKeyProvider } from '../../server/security/keys.ts';
import { openBlindIndex } from '../../server/security/blind-index.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const keyDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'blind-index-'));
  dirs.push(dir);
  return dir;
};

describe('blind index', () => {
  it('gives equal tokens for equal values, different ones per kind and per installation', async () => {
    const store = createFileKeyStore(keyDir());
    const index = await openBlindIndex(createDataKeys(staticKeyProvider([generateKey()], 'test'), store));
    const token = index.token('email', 'ada@example.com');
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(index.token('email', 'ada@example.com')).toBe(token);
    expect(index.token('email', 'ada@example.org')).not.toBe(token);
    expect(index.token('word', 'ada@example.com')).not.toBe(token);
    expect(token).not.toContain('ada');

    const other = await openBlindIndex(
      createDataKeys(staticKeyProvider([generateKey()], 'test'), createFileKeyStore(keyDir())),
    );
    expect(other.token('email', 'ada@example.com')).not.toBe(token);
  });

  it('keeps its tokens when the master key is rotated (the key is re-wrapped, not replaced)', async () => {
    const dir = keyDir();
    const [oldMaster, newMaster] = [generateKey(), generateKey()];
    const before = createDataKeys(staticKeyProvider([oldMaster], 'test'), createFileKeyStore(dir));
    const token = (await openBlindIndex(before)).token('phone', '+358401234567');

    const rotating = createDataKeys(staticKeyProvider([newMaster, oldMaster], 'test'), createFileKeyStore(dir));
    expect((await rotating.rewrapAll()).rewrapped).toBe(1);
    // After the rotation the old master key can be retired: the index key opens under the new one alone.
    const after = createDataKeys(staticKeyProvider([newMaster], 'test'), createFileKeyStore(dir));
    expect((await openBlindIndex(after)).token('phone', '+358401234567')).toBe(token);
  });
});
