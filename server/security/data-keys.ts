import { createHmac } from 'node:crypto';
import { generateKey, type KeyProvider } from './keys.ts';
import {
  createSecretBox,
  openWithKey,
  sealedIdOf,
  sealWithKey,
  SEALED_PREFIX,
  SecretUnreadableError,
} from './secret-box.ts';
import type { KeyStore, WrappedKey } from './key-store.ts';
import { newBlockRefs } from './key-blocks.ts';

/**
 * Per-person data keys (issue 22): every contact's personal data at rest is encrypted (AES-256-GCM) under a random
 * 256-bit key of their own, created on first use, kept wrapped by the master key (keys.ts) in a key store outside
 * the database (key-store.ts). Erasure destroys the key, and with it every copy of the data wherever it went.
 *
 * A value is sealed as `pdk:v1:<reference>:<iv>:<ciphertext and tag>`: the reference is the id of the contact the
 * key was made for, so a value keeps opening after a merge moved it to another contact (the merged key moves too:
 * adopt). The context (table, column and row) is authenticated: a ciphertext copied to another row does not open.
 * Files use the same keys in a streaming format of their own (server/blobs/encrypted.ts).
 *
 * Unwrapped keys are cached (bounded, least recently used first out, each for a few minutes), so ingest and a
 * conversation with many files do not unwrap a key per value.
 */
export const DATA_PREFIX = 'pdk:v1:';

export const isDataSealed = (value: unknown): value is string =>
  typeof value === 'string' && value.startsWith(DATA_PREFIX);

/** The person's data key is gone (erased), or the value was altered or moved. */
export class PersonalDataUnreadableError extends Error {
  constructor(reason: string) {
    super(`personal data unreadable: ${reason}`);
  }
}

export type DataKey = { ref: string; keyId: string; key: Buffer };

export type DataKeys = {
  /** The contact's key, created when they have none. */
  keyFor(contactId: string): Promise<DataKey>;
  /**
   * Keys for contacts that do not exist yet (ids chosen by the caller, e.g. a batch of new senders at ingest), all
   * written at once: no read first (a fresh id has no key), the writes side by side. Durable when it resolves, so
   * the rows that will name them can be committed after it.
   */
  createMany(contactIds: readonly string[]): Promise<DataKey[]>;
  /**
   * Ids and keys for `n` new contacts, taken from a pool of keys made ahead in blocks (key-blocks.ts): the id IS
   * the key's reference. Durable when it resolves (the block was fsynced before its keys entered the pool).
   */
  newContactKeys(n: number): Promise<DataKey[]>;
  /** The key a ciphertext names, or undefined once it has been destroyed (or never existed). */
  keyOf(ref: string): Promise<DataKey | undefined>;
  encrypt(contactId: string, plaintext: string, context: string): Promise<string>;
  /**
   * Many values at once (one key look-up per contact). `newContacts`: ids the caller has just generated for contacts
   * it is about to create (ingest's unknown senders): no key can exist for them, so none is looked for.
   */
  encryptMany(
    items: ReadonlyArray<{ contactId: string; plaintext: string; context: string }>,
    newContacts?: ReadonlySet<string>,
  ): Promise<string[]>;
  /** Throws PersonalDataUnreadableError when the key is gone or the value does not authenticate in this context. */
  decrypt(sealed: string, context: string): Promise<string>;
  /** Many values at once; a value whose key is gone comes back as null. */
  decryptMany(items: ReadonlyArray<{ sealed: string; context: string }>): Promise<Array<string | null>>;
  /** Destroys the contact's keys (their own and the ones merged into them); returns the destroyed keys' ids. */
  shred(contactId: string): Promise<string[]>;
  /** A merge: the keys of `merged` now belong to `survivor`, so erasing the survivor destroys them as well. */
  adopt(survivor: string, merged: string): Promise<void>;
  /** Re-wraps every key under the master key's current key (keys:rotate); master key ids still in use after it. */
  rewrapAll(): Promise<{ rewrapped: number; unreadable: number; masterKeyIds: Set<string> }>;
  readonly location: string;
};

/** A data key's fingerprint (audit entries name it): reveals nothing about the key. */
export const dataKeyIdOf = (key: Buffer) =>
  createHmac('sha256', key).update('privacy-inbox data key id v1').digest('base64url').slice(0, 16);

const wrapContext = (ref: string) => `key-store/${ref}`;

/** Key-store reads one decryptMany has under way at once (each is a file read in the embedded store). */
const READS_AT_ONCE = 32;

export type DataKeyOptions = {
  cacheSize?: number;
  cacheTtlMs?: number;
  now?: () => number;
  /** Keys per block file (default 64). */
  blockSize?: number;
};

export function createDataKeys(master: KeyProvider, store: KeyStore, options: DataKeyOptions = {}): DataKeys {
  const box = createSecretBox(master);
  const cacheSize = options.cacheSize ?? 10_000;
  const ttl = options.cacheTtlMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  // Map keeps insertion order: re-inserting on use makes the first entry the least recently used.
  const cache = new Map<string, { key: DataKey; until: number }>();
  const remember = (key: DataKey) => {
    cache.delete(key.ref);
    cache.set(key.ref, { key, until: now() + ttl });
    while (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
  };
  const unwrap = (w: WrappedKey): DataKey => ({
    ref: w.ref,
    keyId: w.keyId,
    key: Buffer.from(box.open(w.wrapped, wrapContext(w.ref)), 'base64'),
  });
  const wrap = (ref: string, key: Buffer): WrappedKey => ({
    ref,
    keyId: dataKeyIdOf(key),
    wrapped: box.seal(key.toString('base64'), wrapContext(ref)),
  });

  // Reads under way, by reference: readers that miss the cache for the same person at once (a search's views and
  // snippets, started side by side) share one read of the store. `shredded` counts the starts and ends of erasures:
  // a read that was under way while one ran does not put what it read into the cache.
  const loading = new Map<string, Promise<DataKey | undefined>>();
  let shredded = 0;
  async function load(ref: string): Promise<DataKey | undefined> {
    const before = shredded;
    const entry = await store.read(ref);
    const wrapped = entry?.keys.find((k) => k.ref === ref);
    if (!wrapped) return undefined;
    const key = unwrap(wrapped);
    if (before === shredded) remember(key);
    return key;
  }

  async function keyOf(ref: string): Promise<DataKey | undefined> {
    const hit = cache.get(ref);
    if (hit && hit.until > now()) {
      cache.delete(ref);
      cache.set(ref, hit);
      return hit.key;
    }
    cache.delete(ref);
    const pending = loading.get(ref);
    if (pending) return pending;
    const read: Promise<DataKey | undefined> = load(ref).finally(() => {
      if (loading.get(ref) === read) loading.delete(ref);
    });
    loading.set(ref, read);
    return read;
  }

  /**
   * The keys of many references, read side by side (at most READS_AT_ONCE at a time) rather than one after another:
   * a page of search hits names some twenty people, and each key not in the cache is a read of the key store.
   */
  async function keysOf(refs: Iterable<string>): Promise<Map<string, DataKey | undefined>> {
    const wanted = [...new Set(refs)];
    const found = new Map<string, DataKey | undefined>();
    for (let at = 0; at < wanted.length; at += READS_AT_ONCE) {
      const slice = wanted.slice(at, at + READS_AT_ONCE);
      const keys = await Promise.all(slice.map(keyOf));
      slice.forEach((ref, i) => found.set(ref, keys[i]));
    }
    return found;
  }

  async function keyFor(contactId: string): Promise<DataKey> {
    const known = await keyOf(contactId);
    if (known) return known;
    return create(contactId);
  }

  async function create(contactId: string): Promise<DataKey> {
    const raw = generateKey();
    const mine = wrap(contactId, raw);
    const entry = await store.create({ owner: contactId, keys: [mine] });
    const stored = entry.keys.find((k) => k.ref === contactId)!;
    // Another writer's key, when it was first: that one is the person's.
    const key = stored.wrapped === mine.wrapped ? { ref: contactId, keyId: mine.keyId, key: raw } : unwrap(stored);
    remember(key);
    return key;
  }

  /**
   * The pool of keys made ahead: refilled in the background when it runs low, and waited for only when empty.
   * Keys left in it when the process exits, or handed to a planned contact that lost a race, are harmless: no data
   * was ever stored under them (their ids name no row), so nobody collects them; they stay in their block file.
   */
  const blockSize = options.blockSize ?? 64;
  const pool: DataKey[] = [];
  let refilling: Promise<void> | null = null;
  async function makeBlock(): Promise<void> {
    for (;;) {
      const { block, refs } = newBlockRefs(blockSize);
      const raws = refs.map(() => generateKey());
      const wrapped = refs.map((ref, i) => wrap(ref, raws[i]!));
      if (await store.createBlock(block, wrapped)) {
        refs.forEach((ref, i) => pool.push({ ref, keyId: wrapped[i]!.keyId, key: raws[i]! }));
        return;
      }
    }
  }
  function refill(): Promise<void> {
    refilling ??= makeBlock().finally(() => (refilling = null));
    return refilling;
  }
  async function newContactKeys(n: number): Promise<DataKey[]> {
    while (pool.length < n) await refill();
    const taken = pool.splice(0, n);
    if (pool.length < blockSize / 4) refill().catch(() => {}); // a failure shows again at the next wait
    for (const key of taken) remember(key);
    return taken;
  }

  function openSealed(sealed: string, context: string, key: DataKey | undefined): string {
    try {
      return openWithKey(
        DATA_PREFIX,
        sealed,
        context,
        () => key?.key,
        () => 'the data key is gone (the person was erased)',
      ).toString('utf8');
    } catch (err) {
      if (err instanceof SecretUnreadableError) throw new PersonalDataUnreadableError(err.message);
      throw err;
    }
  }

  async function decryptOne(sealed: string, context: string): Promise<string> {
    const ref = sealedIdOf(DATA_PREFIX, sealed);
    if (!ref) throw new PersonalDataUnreadableError('not an encrypted value');
    return openSealed(sealed, context, await keyOf(ref));
  }

  return {
    location: store.location,
    keyFor,
    keyOf,
    createMany: (contactIds) => Promise.all(contactIds.map(create)),
    newContactKeys,
    async encrypt(contactId, plaintext, context) {
      const { ref, key } = await keyFor(contactId);
      return sealWithKey(DATA_PREFIX, ref, key, plaintext, context);
    },
    async encryptMany(items, newContacts) {
      const keys = new Map<string, DataKey>();
      // In parallel: a batch of ingest may hold several new contacts, each a key file written and flushed.
      await Promise.all(
        [...new Set(items.map((i) => i.contactId))].map(async (id) =>
          keys.set(id, await (newContacts?.has(id) ? create(id) : keyFor(id))),
        ),
      );
      return items.map((i) => {
        const { ref, key } = keys.get(i.contactId)!;
        return sealWithKey(DATA_PREFIX, ref, key, i.plaintext, i.context);
      });
    },
    decrypt: decryptOne,
    async decryptMany(items) {
      const refs = items.map((item) => sealedIdOf(DATA_PREFIX, item.sealed));
      const keys = await keysOf(refs.filter((ref): ref is string => ref !== null));
      return items.map((item, i) => {
        const ref = refs[i];
        try {
          if (!ref) throw new PersonalDataUnreadableError('not an encrypted value');
          return openSealed(item.sealed, item.context, keys.get(ref));
        } catch (err) {
          if (!(err instanceof PersonalDataUnreadableError)) throw err;
          return null;
        }
      });
    },
    async shred(contactId) {
      const entry = await store.read(contactId);
      if (!entry || entry.owner !== contactId) return [];
      const refs = entry.keys.map((k) => k.ref);
      shredded++;
      await store.destroy(
        contactId,
        refs.filter((r) => r !== contactId),
      );
      for (const ref of refs) {
        cache.delete(ref);
        loading.delete(ref);
      }
      shredded++;
      return entry.keys.map((k) => k.keyId);
    },
    async adopt(survivor, merged) {
      const from = await store.read(merged);
      if (!from || from.owner === survivor) return;
      await keyFor(survivor);
      const to = (await store.read(survivor))!;
      const keys = [...to.keys, ...from.keys.filter((k) => !to.keys.some((t) => t.ref === k.ref))];
      await store.replace({ owner: survivor, keys });
      // Every reference of the merged entry now points at the survivor's (written after the keys are there).
      for (const k of from.keys) await store.redirect(k.ref, survivor);
      for (const k of from.keys) cache.delete(k.ref);
    },
    async rewrapAll() {
      const current = master.current().id;
      let rewrapped = 0;
      let unreadable = 0;
      const masterKeyIds = new Set<string>();
      // The keys wrapped under another master key re-wrapped, or null when none was.
      const rewrap = (keys: readonly WrappedKey[]): WrappedKey[] | null => {
        let changed = false;
        const out = keys.map((k) => {
          const under = sealedIdOf(SEALED_PREFIX, k.wrapped);
          if (under === current) return k;
          try {
            const again = wrap(k.ref, unwrap(k).key);
            changed = true;
            rewrapped++;
            return again;
          } catch (err) {
            if (!(err instanceof SecretUnreadableError)) throw err;
            unreadable++;
            if (under) masterKeyIds.add(under);
            return k;
          }
        });
        if (out.length > 0) masterKeyIds.add(current);
        return changed ? out : null;
      };
      for await (const owner of store.owners()) {
        const entry = await store.read(owner);
        if (!entry || entry.owner !== owner) continue;
        const keys = rewrap(entry.keys);
        if (keys) await store.replace({ owner, keys });
      }
      // Under the block's lock: an erasure in another process meanwhile is not undone by this rewrite.
      for await (const block of store.blocks()) await store.rewriteBlock(block, rewrap);
      return { rewrapped, unreadable, masterKeyIds };
    },
  };
}

/** The master key id the first stored key is wrapped under (the start-up check), or null when the store is empty. */
export async function masterKeyIdOfStore(store: KeyStore): Promise<string | null> {
  for await (const owner of store.owners()) {
    const entry = await store.read(owner);
    const id = entry?.keys[0] ? sealedIdOf(SEALED_PREFIX, entry.keys[0].wrapped) : null;
    if (id) return id;
  }
  for await (const block of store.blocks()) {
    const keys = await store.readBlock(block);
    const id = keys[0] ? sealedIdOf(SEALED_PREFIX, keys[0].wrapped) : null;
    if (id) return id;
  }
  return null;
}
