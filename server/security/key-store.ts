import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, rm, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { BLOCKS_DIR_NAME, createBlockFiles } from './key-blocks.ts';

/**
 * Where the per-person data keys live (data-keys.ts): NOT in the database, so that a database backup never holds
 * them. Erasing a person deletes their entry ("crypto-shredding"): every copy of their encrypted data, in old
 * dumps, WAL archives, replicas and file backups, is then unreadable, while everyone else's stays restorable.
 *
 * An entry holds wrapped keys only (sealed under the master key, secret-box.ts): the store alone opens nothing.
 * The embedded store is a directory (DATA_DIR/keys): one file per person, mode 0600, written whole under a
 * temporary name and renamed (or linked, when it must not exist yet), so a reader never sees half an entry and
 * two servers creating the same person's key at once agree on one. Several servers share it the way they share
 * DATA_DIR/blobs. Another backend (a separate database, a KMS) implements KeyStore.
 *
 * New contacts at ingest take their keys from blocks instead (key-blocks.ts: DATA_DIR/keys/blocks, one file per
 * block of keys made ahead, the id naming its block): an entry is then found in its block when there is no file of
 * its own. A merge or a rotation still writes a file of the person's own (their entry, or a pointer), and erasure
 * removes both: the key from its block first, then the person's files.
 */
export type WrappedKey = {
  /** The contact the key was created for: ciphertexts name it (the key's reference). */
  ref: string;
  /** Fingerprint of the key (keys.ts keyIdOf): audit entries name it, never the key. */
  keyId: string;
  /** The key sealed under the master key (secret-box.ts format, which names the master key's id). */
  wrapped: string;
};

/** One person's entry: their own key, and the keys of contacts merged into them (contact-merge.ts). */
export type KeyEntry = { owner: string; keys: WrappedKey[] };

export interface KeyStore {
  /** Where the keys live, for messages. */
  readonly location: string;
  /** The entry a reference names (following a merge), or null when there is none (never made, or shredded). */
  read(ref: string): Promise<KeyEntry | null>;
  /** Stores the entry of a person who has none yet; returns the entry that won if another writer was first. */
  create(entry: KeyEntry): Promise<KeyEntry>;
  /** Replaces an existing entry (a rotation re-wraps, a merge adds keys). */
  replace(entry: KeyEntry): Promise<void>;
  /** Makes `ref` point at `owner`'s entry (its keys moved there by a merge). */
  redirect(ref: string, owner: string): Promise<void>;
  /** Deletes the entry of `owner` and the references redirected to it. */
  destroy(owner: string, refs: string[]): Promise<void>;
  /** Every owner with an entry of their own (a rotation walks them; keys in blocks are walked by `blocks`). */
  owners(): AsyncIterable<string>;
  /** Stores a block of new keys (key-blocks.ts newBlockRefs); false when the block's id is taken. */
  createBlock(block: string, keys: WrappedKey[]): Promise<boolean>;
  /** Every block of keys. */
  blocks(): AsyncIterable<string>;
  readBlock(block: string): Promise<WrappedKey[]>;
  /** Rewrites a block under a lock shared by every process (`change` returns the new keys, or null for none). */
  rewriteBlock(block: string, change: (keys: WrappedKey[]) => WrappedKey[] | null): Promise<void>;
}

export const KEY_STORE_DIR_NAME = 'keys';
export const keyStorePath = (dataDir: string) => join(dataDir, KEY_STORE_DIR_NAME);

const VALID_REF = /^[0-9a-f-]{36}$/;

type StoredFile = { v: 1; owner: string; keys: WrappedKey[] } | { v: 1; movedTo: string };

export function createFileKeyStore(root: string): KeyStore {
  const pathOf = (ref: string) => {
    if (!VALID_REF.test(ref)) throw new Error('invalid key reference');
    return join(root, ref.slice(0, 2), `${ref}.key`);
  };
  async function load(ref: string): Promise<StoredFile | null> {
    try {
      return JSON.parse(await readFile(pathOf(ref), 'utf8')) as StoredFile;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }
  async function temporary(ref: string, content: StoredFile): Promise<string> {
    const shard = join(root, ref.slice(0, 2));
    const path = join(shard, `.${ref}.${randomBytes(6).toString('hex')}`);
    // Asynchronous: a new contact's key is written on ingest's path (issue 22: every message is sealed), and a
    // synchronous fsync there stalled every request of the process for the disk's flush. The shard directory is
    // made only when it is missing: a mkdir for every new contact was a thread-pool round trip more each.
    let file: FileHandle;
    try {
      file = await open(path, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(shard, { recursive: true, mode: 0o700 });
      file = await open(path, 'wx', 0o600);
    }
    try {
      await file.writeFile(JSON.stringify(content));
      await file.sync();
    } finally {
      await file.close();
    }
    return path;
  }
  const blocks = createBlockFiles(root);
  const write = async (ref: string, content: StoredFile) => rename(await temporary(ref, content), pathOf(ref));
  return {
    location: root,
    async read(ref) {
      // A merge leaves a pointer; a chain of merges is followed (a few hops at most).
      let file = await load(ref);
      for (let hops = 0; file && 'movedTo' in file && hops < 16; hops++) file = await load(file.movedTo);
      if (file && !('movedTo' in file)) return { owner: file.owner, keys: file.keys };
      if (file) return null;
      // No file of its own: a key made in a block (a pointer's target always has a file: adopt writes it first).
      const inBlock = await blocks.find(ref);
      return inBlock ? { owner: ref, keys: [inBlock] } : null;
    },
    async create(entry) {
      const path = await temporary(entry.owner, { v: 1, ...entry });
      try {
        await link(path, pathOf(entry.owner));
        return entry;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        return (await this.read(entry.owner))!;
      } finally {
        await unlink(path);
      }
    },
    replace: (entry) => write(entry.owner, { v: 1, ...entry }),
    redirect: (ref, owner) => write(ref, { v: 1, movedTo: owner }),
    async destroy(owner, refs) {
      // The blocks first: with the person's own file still there, an erasure cut short is seen and done again,
      // where the other order would leave a key in its block that reads find once the file is gone.
      await blocks.remove([owner, ...refs]);
      for (const ref of [owner, ...refs]) await rm(pathOf(ref), { force: true });
    },
    async *owners() {
      let shards: string[];
      try {
        shards = await readdir(root);
      } catch {
        return;
      }
      for (const shard of shards.sort()) {
        if (shard === BLOCKS_DIR_NAME) continue;
        let files: string[];
        try {
          files = await readdir(join(root, shard));
        } catch {
          continue;
        }
        for (const f of files.sort()) {
          const ref = f.endsWith('.key') ? f.slice(0, -4) : '';
          if (!VALID_REF.test(ref)) continue;
          const file = await load(ref);
          if (file && !('movedTo' in file)) yield ref;
        }
      }
    },
    createBlock: blocks.create,
    blocks: blocks.blocks,
    readBlock: blocks.read,
    rewriteBlock: blocks.rewrite,
  };
}
