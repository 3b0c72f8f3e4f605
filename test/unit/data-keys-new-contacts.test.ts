import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataKeys } from '../../server/security/data-keys.ts';
import { createFileKeyStore } from '../../server/security/key-store.ts';
import { generateKey, staticKeyProvider } from '../../server/security/keys.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Two servers' data keys over one key store directory, as several servers share DATA_DIR/keys. */
function twoServers() {
  const dir = mkdtempSync(join(tmpdir(), 'data-keys-new-'));
  dirs.push(dir);
  const master = staticKeyProvider([generateKey()], 'test');
  const open = () => createDataKeys(master, createFileKeyStore(dir));
  return { dir, a: open(), b: open() };
}

const value = (contactId: string, plaintext: string) => [{ contactId, plaintext, context: 'messages/body/m1' }];

describe('data keys of contacts a writer is about to create (ingest of an unknown sender)', () => {
  it("seals under a new key without looking for one, and another server's reader opens it", async () => {
    const { a, b } = twoServers();
    const contactId = randomUUID();
    const [sealed] = await a.encryptMany(value(contactId, 'Where is my parcel?'), new Set([contactId]));
    expect(sealed).not.toContain('parcel');
    expect(await b.decrypt(sealed!, 'messages/body/m1')).toBe('Where is my parcel?');
    expect(await a.decrypt(sealed!, 'messages/body/m1')).toBe('Where is my parcel?');
  });

  it('uses the key another server stored first, so erasing the contact shreds every value', async () => {
    const { a, b } = twoServers();
    const contactId = randomUUID();
    const [first] = await b.encryptMany(value(contactId, 'first words'));
    const [second] = await a.encryptMany(value(contactId, 'second words'), new Set([contactId]));
    expect(await b.decrypt(second!, 'messages/body/m1')).toBe('second words');
    await b.shred(contactId);
    const values = [first!, second!].map((sealed) => ({ sealed, context: 'messages/body/m1' }));
    expect(await b.decryptMany(values)).toEqual([null, null]);
  });

  it('makes the key store directory again when it is gone', async () => {
    const { dir, a } = twoServers();
    await a.encryptMany(value(randomUUID(), 'one'));
    rmSync(dir, { recursive: true, force: true });
    const contactId = randomUUID();
    const [sealed] = await a.encryptMany(value(contactId, 'two'), new Set([contactId]));
    expect(await a.decrypt(sealed!, 'messages/body/m1')).toBe('two');
    expect(readdirSync(join(dir, contactId.slice(0, 2)))).toEqual([`${contactId}.key`]);
  });
});
