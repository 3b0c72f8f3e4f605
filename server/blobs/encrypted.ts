import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { DataKey, DataKeys } from '../security/data-keys.ts';
import { PersonalDataUnreadableError } from '../security/data-keys.ts';
import type { BlobOwner, BlobStore, RawBlobStore } from './store.ts';

/**
 * Files at rest encrypted with the data keys of the people they belong to (server/security/data-keys.ts), in
 * chunks, so a 25 MB upload or download never sits whole in memory:
 *
 *   header: "PIENC\0v1" | count (1 byte) | count × contact reference (36 bytes) | salt (16 bytes)
 *   chunks: AES-256-GCM of 64 KiB of the file each (the last one shorter, possibly empty), each with its tag
 *
 * The file key is HKDF(the named people's data keys, salt): a file in someone's conversation written by another
 * person (a Cc'd colleague, a message written in someone else's conversation) needs BOTH keys, so erasing either
 * person shreds it, like erasure deletes it for either. Each chunk's nonce is its number, and the additional data
 * the header plus a flag for the last chunk: chunks cannot be reordered, dropped, or the file cut short unnoticed.
 */
const MAGIC = Buffer.from('PIENC\0v1', 'latin1');
const REF_BYTES = 36;
const SALT_BYTES = 16;
const TAG_BYTES = 16;
export const CHUNK_BYTES = 64 * 1024;

const headerBytes = (count: number) => MAGIC.length + 1 + count * REF_BYTES + SALT_BYTES;

export type EncryptedBlobStore = BlobStore & {
  /** The contact references an encrypted file names; null for a plaintext file; undefined when there is no file. */
  refsOf(id: string): Promise<string[] | null | undefined>;
  /** Encrypts a plaintext file in place (same id) for its owners; false when it was already encrypted or gone. */
  encryptInPlace(id: string, contactIds: string[]): Promise<boolean>;
};

type Header = { refs: string[]; bytes: Buffer };

function parseHeader(head: Buffer): Header | null {
  if (head.length < MAGIC.length + 1 || !head.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  const count = head[MAGIC.length]!;
  const size = headerBytes(count);
  if (count < 1 || count > 4 || head.length < size) return null;
  const refs: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = MAGIC.length + 1 + i * REF_BYTES;
    refs.push(head.subarray(at, at + REF_BYTES).toString('latin1'));
  }
  return { refs, bytes: head.subarray(0, size) };
}

function fileKey(keys: DataKey[], salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.concat(keys.map((k) => k.key)), salt, 'privacy-inbox file v1', 32));
}

const nonce = (counter: number) => {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(counter, 8);
  return iv;
};
const aad = (header: Buffer, last: boolean) => Buffer.concat([header, Buffer.from([last ? 1 : 0])]);

/** Chunks a plaintext stream into the format; `plainBytes` counts what went in. */
class Encryptor extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  private counter = 0;
  plainBytes = 0;
  constructor(
    private readonly key: Buffer,
    private readonly header: Buffer,
  ) {
    super();
    this.push(header);
  }
  private seal(chunk: Buffer, last: boolean) {
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce(this.counter++));
    cipher.setAAD(aad(this.header, last));
    this.push(Buffer.concat([cipher.update(chunk), cipher.final(), cipher.getAuthTag()]));
  }
  override _transform(data: Buffer, _enc: BufferEncoding, done: TransformCallback) {
    this.plainBytes += data.length;
    this.pending = this.pending.length ? Buffer.concat([this.pending, data]) : data;
    // A chunk goes out only once a byte after it exists: the last chunk is sealed in _flush, marked last.
    while (this.pending.length > CHUNK_BYTES) {
      this.seal(this.pending.subarray(0, CHUNK_BYTES), false);
      this.pending = this.pending.subarray(CHUNK_BYTES);
    }
    done();
  }
  override _flush(done: TransformCallback) {
    this.seal(this.pending, true);
    done();
  }
}

class Decryptor extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  private counter = 0;
  private skipped = 0;
  constructor(
    private readonly key: Buffer,
    private readonly header: Buffer,
  ) {
    super();
  }
  private open(chunk: Buffer, last: boolean) {
    if (chunk.length < TAG_BYTES) throw new PersonalDataUnreadableError('file cut short');
    const decipher = createDecipheriv('aes-256-gcm', this.key, nonce(this.counter++));
    decipher.setAAD(aad(this.header, last));
    decipher.setAuthTag(chunk.subarray(chunk.length - TAG_BYTES));
    try {
      this.push(Buffer.concat([decipher.update(chunk.subarray(0, chunk.length - TAG_BYTES)), decipher.final()]));
    } catch {
      throw new PersonalDataUnreadableError('file altered or cut short');
    }
  }
  override _transform(data: Buffer, _enc: BufferEncoding, done: TransformCallback) {
    try {
      if (this.skipped < this.header.length) {
        const skip = Math.min(this.header.length - this.skipped, data.length);
        this.skipped += skip;
        data = data.subarray(skip);
      }
      this.pending = this.pending.length ? Buffer.concat([this.pending, data]) : data;
      while (this.pending.length > CHUNK_BYTES + TAG_BYTES) {
        this.open(this.pending.subarray(0, CHUNK_BYTES + TAG_BYTES), false);
        this.pending = this.pending.subarray(CHUNK_BYTES + TAG_BYTES);
      }
      done();
    } catch (err) {
      done(err as Error);
    }
  }
  override _flush(done: TransformCallback) {
    try {
      this.open(this.pending, true);
      done();
    } catch (err) {
      done(err as Error);
    }
  }
}

/** The plaintext size of an encrypted file of `total` bytes. */
export function plainSizeOf(total: number, header: number): number {
  const body = total - header;
  const chunks = Math.max(1, Math.ceil(body / (CHUNK_BYTES + TAG_BYTES)));
  return body - chunks * TAG_BYTES;
}

async function readHead(raw: RawBlobStore, id: string): Promise<Buffer | undefined> {
  return raw.head(id, headerBytes(4));
}

export function createEncryptedBlobStore(
  raw: RawBlobStore,
  dataKeys: DataKeys,
  /** The contacts a message's or conversation's files belong to (its conversation's contact, and its author). */
  ownersOf: (owner: BlobOwner) => Promise<string[]>,
): EncryptedBlobStore {
  async function encryptor(contactIds: string[]) {
    const refs = [...new Set(contactIds)].slice(0, 4);
    if (refs.length === 0) throw new Error('a file needs the contact it belongs to');
    const keys = await Promise.all(refs.map((id) => dataKeys.keyFor(id)));
    const salt = randomBytes(SALT_BYTES);
    const header = Buffer.concat([
      MAGIC,
      Buffer.from([keys.length]),
      ...keys.map((k) => Buffer.from(k.ref, 'latin1')),
      salt,
    ]);
    return new Encryptor(fileKey(keys, salt), header);
  }
  async function headerOf(id: string): Promise<Header | null | undefined> {
    const head = await readHead(raw, id);
    return head === undefined ? undefined : parseHeader(head);
  }
  return {
    async put(content, owner) {
      const enc = await encryptor(await ownersOf(owner));
      const source = Buffer.isBuffer(content) ? Readable.from([content]) : content;
      // An error of the source reaches the store's write, which removes the partial file.
      source.on('error', (err) => enc.destroy(err));
      const { id } = await raw.put(source.pipe(enc));
      return { id, size: enc.plainBytes };
    },
    async get(id) {
      const header = await headerOf(id);
      if (header === undefined) return raw.get(id);
      if (header === null) return raw.get(id);
      const keys: DataKey[] = [];
      for (const ref of header.refs) {
        const key = await dataKeys.keyOf(ref);
        if (!key) throw new PersonalDataUnreadableError('the data key is gone (the person was erased)');
        keys.push(key);
      }
      const salt = header.bytes.subarray(header.bytes.length - SALT_BYTES);
      const stream = await raw.get(id);
      const dec = new Decryptor(fileKey(keys, salt), header.bytes);
      stream.on('error', (err) => dec.destroy(err));
      return stream.pipe(dec);
    },
    async size(id) {
      const total = await raw.size(id);
      if (total === null) return null;
      const header = await headerOf(id);
      return header ? plainSizeOf(total, header.bytes.length) : total;
    },
    delete: (id) => raw.delete(id),
    list: () => raw.list(),
    async refsOf(id) {
      const header = await headerOf(id);
      return header === undefined ? undefined : header ? header.refs : null;
    },
    async encryptInPlace(id, contactIds) {
      const header = await headerOf(id);
      if (header !== null) return false;
      const enc = await encryptor(contactIds);
      const source = await raw.get(id);
      source.on('error', (err) => enc.destroy(err));
      return raw.replace(id, source.pipe(enc));
    },
  };
}
