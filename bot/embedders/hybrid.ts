/**
 * Concatenates the vectors of several embedders, each scaled by the square root of its weight, so the
 * cosine of two hybrid vectors is the weighted mean of the parts' cosines. Used to pair a sentence
 * encoder (meaning, paraphrase) with the lexical embedder (exact product words, any language).
 */
import { type Embedder, type SparseVector, adaptTo, embedAsSparse, sparseToDense } from './types.ts';

export interface HybridPart {
  embedder: Embedder;
  weight: number;
}

export class HybridEmbedder implements Embedder {
  readonly id: string;
  readonly dimension: number;
  private readonly offsets: number[];
  private readonly scales: number[];

  constructor(private readonly parts: HybridPart[]) {
    if (parts.length === 0) throw new Error('hybrid embedder needs at least one part');
    const total = parts.reduce((s, p) => s + p.weight, 0);
    this.scales = parts.map((p) => Math.sqrt(p.weight / total));
    this.offsets = [];
    let offset = 0;
    for (const p of parts) {
      this.offsets.push(offset);
      offset += p.embedder.dimension;
    }
    this.dimension = offset;
    this.id = parts.map((p) => `${p.embedder.id}*${+(p.weight / total).toFixed(2)}`).join('+');
  }

  /** Where each part's features sit in the concatenated vector, for heads that treat the parts apart. */
  get ranges(): Array<{ id: string; offset: number; dimension: number; scale: number }> {
    return this.parts.map((p, i) => ({
      id: p.embedder.id,
      offset: this.offsets[i]!,
      dimension: p.embedder.dimension,
      scale: this.scales[i]!,
    }));
  }

  adapt(corpus: string[]): HybridEmbedder {
    return new HybridEmbedder(this.parts.map((p) => ({ embedder: adaptTo(p.embedder, corpus), weight: p.weight })));
  }

  async embedSparse(texts: string[]): Promise<SparseVector[]> {
    const perPart = await Promise.all(this.parts.map((p) => embedAsSparse(p.embedder, texts)));
    return texts.map((_, i) => {
      const pieces = perPart.map((vs) => vs[i]!);
      const nnz = pieces.reduce((s, v) => s + v.indices.length, 0);
      const indices = new Int32Array(nnz);
      const values = new Float32Array(nnz);
      let k = 0;
      pieces.forEach((v, p) => {
        for (let j = 0; j < v.indices.length; j++, k++) {
          indices[k] = v.indices[j]! + this.offsets[p]!;
          values[k] = v.values[j]! * this.scales[p]!;
        }
      });
      return { indices, values };
    });
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    return (await this.embedSparse(texts)).map((v) => sparseToDense(v, this.dimension));
  }

  async dispose(): Promise<void> {
    await Promise.all(this.parts.map((p) => p.embedder.dispose?.()));
  }
}
