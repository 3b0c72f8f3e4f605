/**
 * An optional on-disk cache of embeddings for the harness, keyed by embedder id and the exact texts,
 * so re-running the bench after changing only the classifier head skips the slow encoder pass. Latency
 * is always measured live, never from the cache. Never used by the bot itself.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Embedder } from '../embedders/types.ts';

export async function embedCached(
  embedder: Embedder,
  texts: string[],
  cacheDir: string | null,
): Promise<Float32Array[]> {
  if (!cacheDir) return embedder.embed(texts);
  const hash = createHash('sha256')
    .update(embedder.id)
    .update('\0')
    .update(texts.join('\u0001'))
    .digest('hex')
    .slice(0, 32);
  const file = join(cacheDir, `${hash}.f32`);
  if (existsSync(file)) {
    const buf = readFileSync(file);
    const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    if (all.length === texts.length * embedder.dimension)
      return texts.map((_, i) => all.slice(i * embedder.dimension, (i + 1) * embedder.dimension));
  }
  const vectors = await embedder.embed(texts);
  mkdirSync(cacheDir, { recursive: true });
  const all = new Float32Array(texts.length * embedder.dimension);
  vectors.forEach((v, i) => all.set(v, i * embedder.dimension));
  writeFileSync(file, new Uint8Array(all.buffer));
  return vectors;
}

/**
 * Wraps a pretrained embedder so whole-dataset embedding runs hit the disk cache; switch `enabled` off
 * before measuring latency, so timed queries always run the model.
 */
export class CachedEmbedder implements Embedder {
  enabled = true;
  constructor(
    private readonly inner: Embedder,
    private readonly cacheDir: string | null,
  ) {}
  get id() {
    return this.inner.id;
  }
  get dimension() {
    return this.inner.dimension;
  }
  embed(texts: string[]): Promise<Float32Array[]> {
    return this.enabled && texts.length > 1 ? embedCached(this.inner, texts, this.cacheDir) : this.inner.embed(texts);
  }
  async dispose(): Promise<void> {
    await this.inner.dispose?.();
  }
}
