import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Data keys created ahead, in blocks (issue 22: a key per new contact at ingest must be cheap): one file holds a
 * block of fresh wrapped keys, written and fsynced once, instead of a file and an fsync per contact.
 *
 * A key's reference is the id of the contact that takes it, and the id names its block: the first 48 bits (the
 * uuid's first 12 hex digits) are the block's, chosen at random per block; the other 74 random bits are the id's
 * own. Ids stay RFC 4122 version-4 uuids (version nibble 4, variant 10xx). What ids of one block share: those 48
 * bits, i.e. knowing one id tells that another id of the same block starts the same, and leaves 74 random bits to
 * guess (a random uuid has 122).
 *
 * Erasing one contact rewrites their block without their key (temporary file, fsync, rename, fsync of the
 * directory) under a lock file that every server sharing DATA_DIR/keys respects, so two erasures in one block, in
 * two processes at once, both take effect; readers take no lock (a rename is atomic).
 */
export const BLOCKS_DIR_NAME = 'blocks';

/** A wrapped key, as key-store.ts's WrappedKey (the same shape; not imported, key-store.ts imports this file). */
type WrappedKey = { ref: string; keyId: string; wrapped: string };

const VALID_BLOCK = /^[0-9a-f]{12}$/;
const LOCK_STALE_MS = 30_000;
const LOCK_TIMEOUT_MS = 60_000;

/** The block an id would be in (whether or not it was made in one). */
export const blockOf = (ref: string) => ref.slice(0, 8) + ref.slice(9, 13);

/** A new block's id and `n` distinct contact ids in it. */
export function newBlockRefs(n: number): { block: string; refs: string[] } {
  const block = randomBytes(6).toString('hex');
  const refs = new Set<string>();
  while (refs.size < n) {
    const h = randomBytes(10).toString('hex');
    const variant = ((parseInt(h[3]!, 16) & 3) | 8).toString(16);
    refs.add(`${block.slice(0, 8)}-${block.slice(8)}-4${h.slice(0, 3)}-${variant}${h.slice(4, 7)}-${h.slice(8, 20)}`);
  }
  return { block, refs: [...refs] };
}

/** The file of the block an id was made in (tests and operators look at it; the store finds it the same way). */
export const blockFilePath = (root: string, ref: string) =>
  join(root, BLOCKS_DIR_NAME, blockOf(ref).slice(0, 2), `${blockOf(ref)}.keys`);

type BlockFile = { v: 1; block: string; keys: WrappedKey[] };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function syncDirectory(dir: string) {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function createBlockFiles(root: string) {
  const base = join(root, BLOCKS_DIR_NAME);
  const dirOf = (block: string) => join(base, block.slice(0, 2));
  const pathOf = (block: string) => {
    if (!VALID_BLOCK.test(block)) throw new Error('invalid key block');
    return join(dirOf(block), `${block}.keys`);
  };

  async function load(block: string): Promise<WrappedKey[] | null> {
    try {
      return (JSON.parse(await readFile(pathOf(block), 'utf8')) as BlockFile).keys;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async function temporary(block: string, keys: WrappedKey[]): Promise<string> {
    await mkdir(dirOf(block), { recursive: true, mode: 0o700 });
    const path = join(dirOf(block), `.${block}.${randomBytes(6).toString('hex')}`);
    const file = await open(path, 'wx', 0o600);
    try {
      await file.writeFile(JSON.stringify({ v: 1, block, keys } satisfies BlockFile));
      await file.sync();
    } finally {
      await file.close();
    }
    return path;
  }

  /**
   * An exclusive lock across processes: a lock file created with O_EXCL. A holder that died leaves it behind; it
   * is taken over once older than LOCK_STALE_MS (a rewrite holds it for milliseconds), by renaming it away, which
   * only one of several waiters can do.
   */
  async function locked<T>(block: string, work: () => Promise<T>): Promise<T> {
    await mkdir(dirOf(block), { recursive: true, mode: 0o700 });
    const lock = `${pathOf(block)}.lock`;
    const deadline = Date.now() + LOCK_TIMEOUT_MS;
    for (;;) {
      try {
        const handle = await open(lock, 'wx', 0o600);
        await handle.close();
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const held = await stat(lock).catch(() => null);
      if (held && Date.now() - held.mtimeMs > LOCK_STALE_MS) {
        const away = `${lock}.stale.${randomBytes(4).toString('hex')}`;
        if (
          await rename(lock, away).then(
            () => true,
            () => false,
          )
        )
          await unlink(away).catch(() => {});
        continue;
      }
      if (Date.now() > deadline) throw new Error('key block locked for too long');
      await sleep(2 + Math.random() * 8);
    }
    try {
      return await work();
    } finally {
      await unlink(lock);
    }
  }

  /**
   * Rewrites a block under its lock: `change` gets the keys as they are now and returns the new ones, or null to
   * leave the file as it is. A block left without keys is deleted.
   */
  async function rewrite(block: string, change: (keys: WrappedKey[]) => WrappedKey[] | null): Promise<void> {
    await locked(block, async () => {
      const keys = await load(block);
      if (!keys) return;
      const next = change(keys);
      if (!next) return;
      if (next.length === 0) await unlink(pathOf(block));
      else await rename(await temporary(block, next), pathOf(block));
      await syncDirectory(dirOf(block));
    });
  }

  return {
    /** Stores a new block (durable when it resolves); false when its id is taken already (then draw another). */
    async create(block: string, keys: WrappedKey[]): Promise<boolean> {
      const path = await temporary(block, keys);
      try {
        await link(path, pathOf(block));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        return false;
      } finally {
        await unlink(path);
      }
      await syncDirectory(dirOf(block));
      return true;
    },
    /** The key of this reference in its block, or null. */
    async find(ref: string): Promise<WrappedKey | null> {
      if (!VALID_BLOCK.test(blockOf(ref))) return null;
      const keys = await load(blockOf(ref));
      return keys?.find((k) => k.ref === ref) ?? null;
    },
    read: async (block: string) => (await load(block)) ?? [],
    rewrite,
    /** Removes these references' keys from their blocks. */
    async remove(refs: readonly string[]): Promise<void> {
      const byBlock = new Map<string, Set<string>>();
      for (const ref of refs) {
        const block = blockOf(ref);
        if (!VALID_BLOCK.test(block)) continue;
        byBlock.set(block, (byBlock.get(block) ?? new Set()).add(ref));
      }
      for (const [block, gone] of byBlock) {
        await rewrite(block, (keys) =>
          keys.some((k) => gone.has(k.ref)) ? keys.filter((k) => !gone.has(k.ref)) : null,
        );
      }
    },
    async *blocks(): AsyncIterable<string> {
      let shards: string[];
      try {
        shards = await readdir(base);
      } catch {
        return;
      }
      for (const shard of shards.sort()) {
        const files = await readdir(join(base, shard)).catch(() => [] as string[]);
        for (const f of files.sort()) {
          const block = f.endsWith('.keys') ? f.slice(0, -5) : '';
          if (VALID_BLOCK.test(block)) yield block;
        }
      }
    },
  };
}

export type BlockFiles = ReturnType<typeof createBlockFiles>;
