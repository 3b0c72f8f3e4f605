import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';

/**
 * Files (attachments, recordings, raw mail) behind one small interface. Ids are random, never
 * content hashes: two people's identical files are two blobs, so erasing one touches only that one.
 * The application writes them encrypted with their people's data keys (encrypted.ts wraps this store).
 *
 * Whose data a file is: a contact, or the contacts a message or conversation belongs to (resolved by the store). */
export type BlobOwner = { contactId: string } | { messageId: string } | { conversationId: string };

/** The files of the application: written encrypted, read back as plaintext (old plaintext files read as they are). */
export type BlobStore = {
  put(content: Buffer | Readable, owner: BlobOwner): Promise<{ id: string; size: number }>;
  get(id: string): Promise<Readable>;
  /** The file's size as its readers see it (plaintext). */
  size(id: string): Promise<number | null>;
  delete(id: string): Promise<boolean>;
  list(): Promise<string[]>;
};

/** The bytes as stored (encrypted.ts puts its format on top). */
export type RawBlobStore = {
  put(content: Buffer | Readable): Promise<{ id: string; size: number }>;
  get(id: string): Promise<Readable>;
  size(id: string): Promise<number | null>;
  delete(id: string): Promise<boolean>;
  /** Every blob id (for the erasure proof and retention audits). */
  list(): Promise<string[]>;
  /** Up to the first `bytes` bytes of the file, or undefined when there is none. */
  head(id: string, bytes: number): Promise<Buffer | undefined>;
  /** Replaces an existing file's content atomically (same id); false when the file is gone. */
  replace(id: string, content: Readable): Promise<boolean>;
};

const VALID_ID = /^[a-f0-9]{32}$/;

export function createLocalBlobStore(root: string): RawBlobStore {
  // Two-level fan-out keeps directories small with millions of files.
  const pathOf = (id: string) => {
    if (!VALID_ID.test(id)) throw new Error('invalid blob id');
    return join(root, id.slice(0, 2), id);
  };
  return {
    async put(content) {
      const id = randomBytes(16).toString('hex');
      const path = pathOf(id);
      await mkdir(join(root, id.slice(0, 2)), { recursive: true });
      const source = Buffer.isBuffer(content) ? Readable.from([content]) : content;
      try {
        await pipeline(source, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
      } catch (err) {
        // A source that failed half-way (a download over its size limit, a reset) leaves no partial file behind.
        await rm(path, { force: true });
        throw err;
      }
      return { id, size: (await stat(path)).size };
    },
    async get(id) {
      await stat(pathOf(id));
      return createReadStream(pathOf(id));
    },
    async size(id) {
      try {
        return (await stat(pathOf(id))).size;
      } catch {
        return null;
      }
    },
    async delete(id) {
      try {
        await rm(pathOf(id));
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw err;
      }
    },
    async head(id, bytes) {
      let handle;
      try {
        handle = await open(pathOf(id), 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
      try {
        const buffer = Buffer.alloc(bytes);
        const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
        return buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },
    async replace(id, content) {
      const path = pathOf(id);
      try {
        await stat(path);
      } catch {
        content.destroy();
        return false;
      }
      const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await pipeline(content, createWriteStream(temporary, { flags: 'wx', mode: 0o600 }));
        await rename(temporary, path);
        return true;
      } catch (err) {
        await rm(temporary, { force: true });
        throw err;
      }
    },
    async list() {
      let shards: string[];
      try {
        shards = await readdir(root);
      } catch {
        return [];
      }
      const ids: string[] = [];
      for (const shard of shards) ids.push(...(await readdir(join(root, shard))).filter((f) => VALID_ID.test(f)));
      return ids;
    },
  };
}
