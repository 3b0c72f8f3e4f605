/**
 * One interface for every sentence embedder the bot can use. Vectors are L2-normalized so a dot product
 * is a cosine similarity. An embedder whose vectors are mostly zeros (the lexical one) also offers them
 * sparse, so the classifier head does not have to walk tens of thousands of zeros per example.
 */
export interface Embedder {
  /** Stable id, e.g. "use-lite", "lexical", "transformers:Xenova/all-MiniLM-L6-v2"; logged with decisions. */
  readonly id: string;
  readonly dimension: number;
  embed(texts: string[]): Promise<Float32Array[]>;
  /** Same vectors as embed(), as (index, value) pairs sorted by index. */
  embedSparse?(texts: string[]): Promise<SparseVector[]>;
  /**
   * A copy adapted to the texts the bot will match against (e.g. their IDF weights); the original is left
   * as it was, so an index being rebuilt never changes the vectors of the one in use. Embedders with a
   * fixed pretrained model do not have it.
   */
  adapt?(corpus: string[]): Embedder;
  /** Frees model memory; the embedder is unusable afterwards. */
  dispose?(): Promise<void>;
}

export interface SparseVector {
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

export function l2normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  if (sum === 0) return v;
  const inv = 1 / Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) v[i]! *= inv;
  return v;
}

export function denseToSparse(v: Float32Array): SparseVector {
  let nnz = 0;
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) nnz++;
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  for (let i = 0, k = 0; i < v.length; i++) {
    if (v[i] !== 0) {
      indices[k] = i;
      values[k++] = v[i]!;
    }
  }
  return { indices, values };
}

export function sparseToDense(v: SparseVector, dimension: number): Float32Array {
  const out = new Float32Array(dimension);
  for (let k = 0; k < v.indices.length; k++) out[v.indices[k]!] = v.values[k]!;
  return out;
}

export function adaptTo(embedder: Embedder, corpus: string[]): Embedder {
  return embedder.adapt ? embedder.adapt(corpus) : embedder;
}

/** Vectors of any embedder as sparse: its own sparse form when it has one, else the dense one converted. */
export async function embedAsSparse(embedder: Embedder, texts: string[]): Promise<SparseVector[]> {
  if (embedder.embedSparse) return embedder.embedSparse(texts);
  return (await embedder.embed(texts)).map(denseToSparse);
}
