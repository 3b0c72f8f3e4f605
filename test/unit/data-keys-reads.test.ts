import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createDataKeys } from '../../server/security/data-keys.ts';
import { createFileKeyStore, keyStorePath, type KeyStore } from '../../server/security/key-store.ts';
import { generateKey, staticKeyProvider } from '../../server/security/keys.ts';

/**
 * How many reads of the key store opening values costs (a search page opens some twenty people's texts; each key
 * not in the cache is a file read). The store is the real file store, wrapped to count the reads and to hold them
 * until released, so that what runs side by side can be seen.
 */
function countingStore() {
  const real = createFileKeyStore(keyStorePath(mkdtempSync(join(tmpdir(), 'key-reads-'))));
  const reads: string[] = [];
  let inFlight = 0;
  let mostAtOnce = 0;
  // The next read (of one reference, or of any): it reads the store, then waits for release() before answering.
  let held: { ref: string | null; gate: Promise<void>; release: () => void } | null = null;
  const store: KeyStore = {
    ...real,
    async read(ref) {
      reads.push(ref);
      inFlight++;
      mostAtOnce = Math.max(mostAtOnce, inFlight);
      try {
        const entry = await real.read(ref);
        const mine = held && (held.ref === null || held.ref === ref) ? held : null;
        if (mine?.ref) held = null;
        if (mine) await mine.gate;
        return entry;
      } finally {
        inFlight--;
      }
    },
  };
  return {
    store,
    reads,
    mostAtOnce: () => mostAtOnce,
    reset() {
      reads.length = 0;
      mostAtOnce = 0;
    },
    hold(ref: string | null = null) {
      let release = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      held = { ref, gate, release };
      return () => {
        if (held?.gate === gate) held = null;
        release();
      };
    },
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

const master = () => staticKeyProvider([generateKey()], 'test key');

describe('opening many values', () => {
  it('reads each person’s key once, the people side by side, and opens every value', async () => {
    const counting = countingStore();
    const key = master();
    // Sealed by one process, opened by another (a cold cache: every key is a read of the store).
    const writer = createDataKeys(key, counting.store);
    const people = Array.from({ length: 20 }, () => randomUUID());
    const items = await Promise.all(
      people.flatMap((id) =>
        [1, 2, 3].map(async (n) => ({
          sealed: await writer.encrypt(id, `message ${n} of ${id}`, `test/${id}/${n}`),
          context: `test/${id}/${n}`,
          expected: `message ${n} of ${id}`,
        })),
      ),
    );
    counting.reset();
    const reader = createDataKeys(key, counting.store);
    const opened = await reader.decryptMany(items);
    expect(opened).toEqual(items.map((i) => i.expected));
    expect(counting.reads.sort()).toEqual([...people].sort());
    expect(counting.mostAtOnce()).toBeGreaterThan(1);
    // Cached now: opening them again reads nothing.
    counting.reset();
    expect(await reader.decryptMany(items)).toEqual(items.map((i) => i.expected));
    expect(counting.reads).toEqual([]);
  });

  it('two readers missing the cache for one person at once share one read', async () => {
    const counting = countingStore();
    const key = master();
    const id = randomUUID();
    const sealed = await createDataKeys(key, counting.store).encrypt(id, 'hello', `test/${id}`);
    const reader = createDataKeys(key, counting.store);
    counting.reset();
    const release = counting.hold();
    const both = Promise.all([
      reader.decryptMany([{ sealed, context: `test/${id}` }]),
      reader.decrypt(sealed, `test/${id}`),
    ]);
    await tick();
    release();
    expect(await both).toEqual([['hello'], 'hello']);
    expect(counting.reads).toEqual([id]);
  });

  it('a gone key opens as null beside the others; a read under way during an erasure is not cached', async () => {
    const counting = countingStore();
    const key = master();
    const [kept, erased] = [randomUUID(), randomUUID()];
    const writer = createDataKeys(key, counting.store);
    const items = [
      { sealed: await writer.encrypt(kept, 'stays', `test/${kept}`), context: `test/${kept}` },
      { sealed: await writer.encrypt(erased, 'goes', `test/${erased}`), context: `test/${erased}` },
      { sealed: 'pdk:v1:not-a-value', context: 'test/x' },
    ];
    const reader = createDataKeys(key, counting.store);
    // The reader's read of the erased person's key finds it, then answers only after the erasure has finished.
    const release = counting.hold(erased);
    const during = reader.decryptMany(items.slice(0, 2));
    await tick();
    await reader.shred(erased);
    release();
    expect(await during).toHaveLength(2);
    // Whatever that read got, it did not stay: the next opening finds the key gone.
    expect(await reader.decryptMany(items)).toEqual(['stays', null, null]);
  });
});
