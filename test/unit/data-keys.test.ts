import { describe, expect, it } from 'vitest';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  createDataKeys,
  masterKeyIdOfStore,
  PersonalDataUnreadableError,
  type DataKeys,
} from '../../server/security/data-keys.ts';
import { createFileKeyStore, keyStorePath } from '../../server/security/key-store.ts';
import { blockFilePath, blockOf } from '../../server/security/key-blocks.ts';
import { generateKey, masterKey, staticKeyProvider, type KeyProvider } from '../../server/security/keys.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function store(options: { blockSize?: number } = {}) {
  const dir = keyStorePath(mkdtempSync(join(tmpdir(), 'key-blocks-')));
  const masterBytes = generateKey();
  const master = staticKeyProvider([masterBytes], 'test key');
  const open = (provider: KeyProvider = master) => createDataKeys(provider, createFileKeyStore(dir), options);
  return { dir, master, masterBytes, open };
}

const seal = (keys: DataKeys, id: string) => keys.encrypt(id, `note of ${id}`, `test/${id}`);
const opens = async (keys: DataKeys, id: string, sealed: string) => {
  try {
    return (await keys.decrypt(sealed, `test/${id}`)) === `note of ${id}`;
  } catch (err) {
    if (err instanceof PersonalDataUnreadableError) return false;
    throw err;
  }
};
const blockFiles = (dir: string) =>
  readdirSync(join(dir, 'blocks'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.keys'));

describe('data keys made ahead in blocks', () => {
  it('new contacts get version-4 ids naming their block; one file holds it; a fresh process opens them', async () => {
    const { dir, open } = store();
    const keys = open();
    const made = [...(await keys.newContactKeys(3)), ...(await keys.newContactKeys(2))];
    expect(made.every((k) => UUID_V4.test(k.ref))).toBe(true);
    expect(new Set(made.map((k) => k.ref)).size).toBe(5);
    // One block so far: the ids share its 48 bits and differ in the rest.
    expect(new Set(made.map((k) => blockOf(k.ref))).size).toBe(1);
    expect(new Set(made.map((k) => k.ref.slice(14))).size).toBe(5);
    expect(blockFiles(dir)).toHaveLength(1);
    const file = blockFilePath(dir, made[0]!.ref);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).keys).toHaveLength(64);
    // No file per contact, and no key in the clear.
    expect(existsSync(join(dir, made[0]!.ref.slice(0, 2)))).toBe(false);
    expect(readFileSync(file).includes(Buffer.from(made[0]!.key.toString('base64')))).toBe(false);

    const sealed = await Promise.all(made.map((k) => seal(keys, k.ref)));
    const restarted = open();
    for (const [i, k] of made.entries()) {
      expect(await opens(restarted, k.ref, sealed[i]!)).toBe(true);
      expect((await restarted.keyFor(k.ref)).key.equals(k.key)).toBe(true);
    }
  });

  it('refills the pool block by block, as many as asked at once', async () => {
    const { dir, open } = store({ blockSize: 8 });
    const keys = open();
    const made = await keys.newContactKeys(20);
    expect(new Set(made.map((k) => k.ref)).size).toBe(20);
    expect(blockFiles(dir)).toHaveLength(3);
    const restarted = open();
    for (const k of made) expect((await restarted.keyOf(k.ref))?.key.equals(k.key)).toBe(true);
    // Running low (fewer than a quarter of a block left), the pool makes the next block in the background.
    await keys.newContactKeys(3);
    for (let i = 0; i < 100 && blockFiles(dir).length < 4; i++) await new Promise((r) => setTimeout(r, 10));
    expect(blockFiles(dir)).toHaveLength(4);
  });

  it('keeps per-contact key files working beside blocks (contacts made another way, data stored before)', async () => {
    const { dir, open } = store();
    const keys = open();
    const legacy = randomUUID();
    const sealed = await seal(keys, legacy);
    expect(existsSync(join(dir, legacy.slice(0, 2), `${legacy}.key`))).toBe(true);
    const [pooled] = await keys.newContactKeys(1);
    const pooledSealed = await seal(keys, pooled!.ref);
    expect(await keys.shred(legacy)).toHaveLength(1);
    const restarted = open();
    expect(await opens(restarted, legacy, sealed)).toBe(false);
    expect(await opens(restarted, pooled!.ref, pooledSealed)).toBe(true);
  });

  it('erasure removes the key from its block: the person unreadable, the neighbour opens; copies differ', async () => {
    const { dir, open } = store();
    const keys = open();
    const [ada, bob] = await keys.newContactKeys(2);
    const adaSealed = await seal(keys, ada!.ref);
    const bobSealed = await seal(keys, bob!.ref);
    const copy = mkdtempSync(join(tmpdir(), 'key-store-copy-'));
    cpSync(dir, copy, { recursive: true });
    const adaWrapped = (
      JSON.parse(readFileSync(blockFilePath(dir, ada!.ref), 'utf8')).keys as Array<{
        ref: string;
        wrapped: string;
      }>
    ).find((k) => k.ref === ada!.ref)!.wrapped;

    expect(await keys.shred(ada!.ref)).toEqual([ada!.keyId]);

    expect(await opens(keys, ada!.ref, adaSealed)).toBe(false);
    expect(await opens(keys, bob!.ref, bobSealed)).toBe(true);
    const restarted = open();
    expect(await restarted.keyOf(ada!.ref)).toBeUndefined();
    expect(await opens(restarted, ada!.ref, adaSealed)).toBe(false);
    expect(await opens(restarted, bob!.ref, bobSealed)).toBe(true);
    // The copy taken before holds Ada's wrapped key; the live block file no longer does, nor any other live file.
    const before = readFileSync(blockFilePath(copy, ada!.ref), 'utf8');
    const after = readFileSync(blockFilePath(dir, ada!.ref), 'utf8');
    expect(before).toContain(adaWrapped);
    expect(after).not.toContain(adaWrapped);
    expect(after).not.toContain(ada!.ref);
    expect(after).toContain(bob!.ref);
    for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      const path = join(dir, f);
      if (statSync(path).isFile()) expect(readFileSync(path, 'utf8')).not.toContain(adaWrapped);
    }
    expect(
      readdirSync(join(dir, 'blocks'), { recursive: true, encoding: 'utf8' }).some((f) => f.includes('.lock')),
    ).toBe(false);
  });

  it('two key stores on one directory erasing contacts of one block at once: every erasure takes effect', async () => {
    const { open } = store();
    const first = open();
    const second = open();
    const made = await first.newContactKeys(40);
    const sealed = await Promise.all(made.map((k) => seal(first, k.ref)));
    const erased = made.slice(0, 30);
    await Promise.all(erased.map((k, i) => (i % 2 === 0 ? first : second).shred(k.ref)));
    const restarted = open();
    for (const [i, k] of made.entries()) expect(await opens(restarted, k.ref, sealed[i]!)).toBe(i >= 30);
  });

  it(
    'two processes erasing contacts of one block at once: every erasure takes effect',
    { timeout: 60_000 },
    async () => {
      const { dir, masterBytes, open } = store();
      const keys = open();
      const made = await keys.newContactKeys(40);
      const sealed = await Promise.all(made.map((k) => seal(keys, k.ref)));
      const theirs = made.slice(0, 15).map((k) => k.ref);
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'test/helpers/shred-process.ts', dir, masterBytes.toString('base64'), ...theirs],
        { stdio: ['pipe', 'pipe', 'inherit'] },
      );
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const exited = once(child, 'exit');
      while (!out.includes('ready')) await new Promise((resolve) => setTimeout(resolve, 5));
      child.stdin.write('go\n');
      await Promise.all(made.slice(15, 30).map((k) => keys.shred(k.ref)));
      const [code] = await exited;
      expect(code).toBe(0);
      expect(out).toContain('done');
      const restarted = open();
      for (const [i, k] of made.entries()) expect(await opens(restarted, k.ref, sealed[i]!)).toBe(i >= 30);
    },
  );

  it('takes over a lock left by a process that died', async () => {
    const { dir, open } = store();
    const keys = open();
    const [ada, bob] = await keys.newContactKeys(2);
    const lock = `${blockFilePath(dir, ada!.ref)}.lock`;
    writeFileSync(lock, '');
    const old = new Date(Date.now() - 120_000);
    utimesSync(lock, old, old);
    await keys.shred(ada!.ref);
    expect(await open().keyOf(ada!.ref)).toBeUndefined();
    expect(await open().keyOf(bob!.ref)).toBeDefined();
    expect(existsSync(lock)).toBe(false);
  });

  it('a merged key in a block is destroyed from its block when the survivor is erased', async () => {
    const { dir, open } = store();
    const keys = open();
    const [kept, merged, other] = await keys.newContactKeys(3);
    const mergedSealed = await seal(keys, merged!.ref);
    const otherSealed = await seal(keys, other!.ref);
    await keys.adopt(kept!.ref, merged!.ref);
    expect(await opens(open(), merged!.ref, mergedSealed)).toBe(true);
    expect((await keys.shred(kept!.ref)).sort()).toEqual([kept!.keyId, merged!.keyId].sort());
    const restarted = open();
    expect(await restarted.keyOf(kept!.ref)).toBeUndefined();
    expect(await restarted.keyOf(merged!.ref)).toBeUndefined();
    expect(await opens(restarted, merged!.ref, mergedSealed)).toBe(false);
    expect(await opens(restarted, other!.ref, otherSealed)).toBe(true);
    const block = readFileSync(blockFilePath(dir, merged!.ref), 'utf8');
    expect(block).not.toContain(merged!.ref);
    expect(block).not.toContain(kept!.ref);
  });

  it('rotation re-wraps the keys of blocks; the start-up check sees a store that holds only blocks', async () => {
    const { dir, master, masterBytes, open } = store();
    const keys = open();
    const made = await keys.newContactKeys(5);
    const sealed = await Promise.all(made.map((k) => seal(keys, k.ref)));
    const oldId = master.current().id;
    expect(await masterKeyIdOfStore(createFileKeyStore(dir))).toBe(oldId);

    const newer = generateKey();
    const rotating = staticKeyProvider([newer, masterBytes], 'rotating');
    const result = await open(rotating).rewrapAll();
    expect(result.rewrapped).toBe(64);
    expect([...result.masterKeyIds]).toEqual([masterKey(newer).id]);
    const file = readFileSync(blockFilePath(dir, made[0]!.ref), 'utf8');
    expect(file).toContain(`sealed:v1:${masterKey(newer).id}:`);
    expect(file).not.toContain(`sealed:v1:${oldId}:`);
    expect(await masterKeyIdOfStore(createFileKeyStore(dir))).toBe(masterKey(newer).id);
    // Only the new master key is needed now.
    const after = open(staticKeyProvider([newer], 'new key only'));
    for (const [i, k] of made.entries()) expect(await opens(after, k.ref, sealed[i]!)).toBe(true);
  });
});
