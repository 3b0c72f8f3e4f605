import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';

/**
 * Files (attachments, recordings, raw mail) behind one small interface. Ids are random, never
 * content hashes: two people's identical files are two blobs, so erasing one touches only that one.
 */
export type BlobStore = {
  put(content: Buffer | Readable): Promise<{ id: string; size: number }>;
  get(id: string): Promise<Readable>;
  size(id: string): Promise<number | null>;
  delete(id: string): Promise<boolean>;
  /** Every blob id (for the erasure proof and retention audits). */
  list(): Promise<string[]>;
};

const VALID_ID = /^[a-f0-9]{32}$/;

export function createLocalBlobStore(root: string): BlobStore {
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
