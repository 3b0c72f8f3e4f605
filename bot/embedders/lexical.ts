/**
 * A lexical embedder for any language: hashed word unigrams and bigrams plus character n-grams taken
 * inside word boundaries, weighted by sublinear TF x IDF and L2-normalized (the classic strong baseline
 * for short-text intent classification). Character n-grams carry inflected forms, typos and languages
 * without spaces; no tokenizer or model file is needed. IDF is learned from the corpus by adapt() (or fit(), in place).
 */
import { type Embedder, type SparseVector, sparseToDense } from './types.ts';

export interface LexicalOptions {
  /** The vectors have 2^bits dimensions (hashing space). */
  bits?: number;
  /** Character n-gram lengths, inclusive. */
  charMin?: number;
  charMax?: number;
  /** Word n-grams up to this length (1 = unigrams, 2 = + bigrams). */
  wordMax?: number;
  /** Share of the vector's squared norm given to word features; the rest goes to character n-grams. */
  wordWeight?: number;
}

const DEFAULTS: Required<LexicalOptions> = { bits: 18, charMin: 2, charMax: 5, wordMax: 2, wordWeight: 0.5 };

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;
// Only marks on Latin letters: the dakuten of Japanese kana or Devanagari vowel signs carry meaning.
const LATIN_MARKS = /(\p{Script=Latin})\p{M}+/gu;

/** Lower-cased, NFKC, diacritics of Latin letters folded ("Rückerstattung" and "ruckerstattung" meet). */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase().normalize('NFD').replace(LATIN_MARKS, '$1').normalize('NFC');
}

export function tokenize(text: string): string[] {
  return normalizeText(text).match(WORD) ?? [];
}

/** 32-bit FNV-1a over UTF-16 code units; stable across runs and platforms. */
function fnv1a(s: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const WORD_SEED = 0x9e3779b9;
const CHAR_SEED = 0x85ebca6b;

export class LexicalEmbedder implements Embedder {
  readonly id: string;
  readonly dimension: number;
  private readonly opts: Required<LexicalOptions>;
  private readonly mask: number;
  private idf: Float32Array | null = null;

  constructor(options: LexicalOptions = {}) {
    this.opts = { ...DEFAULTS, ...options };
    if (this.opts.bits < 8 || this.opts.bits > 24) throw new Error('lexical embedder: bits must be in 8..24');
    this.dimension = 2 ** this.opts.bits;
    this.mask = this.dimension - 1;
    this.id = `lexical(w1-${this.opts.wordMax},c${this.opts.charMin}-${this.opts.charMax})`;
  }

  /** Term counts per hashed feature, word and character parts kept apart so each can be normalized. */
  private counts(text: string): { words: Map<number, number>; chars: Map<number, number> } {
    const tokens = tokenize(text);
    const words = new Map<number, number>();
    const chars = new Map<number, number>();
    const add = (m: Map<number, number>, key: number) => m.set(key, (m.get(key) ?? 0) + 1);
    for (let i = 0; i < tokens.length; i++) {
      let gram = tokens[i]!;
      add(words, fnv1a(gram, WORD_SEED) & this.mask);
      for (let n = 2; n <= this.opts.wordMax && i + n - 1 < tokens.length; n++) {
        gram += ' ' + tokens[i + n - 1]!;
        add(words, fnv1a(gram, WORD_SEED) & this.mask);
      }
      const padded = ' ' + tokens[i]! + ' ';
      const symbols = Array.from(padded);
      for (let n = this.opts.charMin; n <= this.opts.charMax; n++) {
        for (let s = 0; s + n <= symbols.length; s++)
          add(chars, fnv1a(symbols.slice(s, s + n).join(''), CHAR_SEED) & this.mask);
        if (n >= symbols.length) break;
      }
    }
    return { words, chars };
  }

  adapt(corpus: string[]): LexicalEmbedder {
    const copy = new LexicalEmbedder(this.opts);
    copy.fit(corpus);
    return copy;
  }

  /** Learns IDF weights from the corpus, in place (adapt() is the copy-on-write form the bot uses). */
  fit(corpus: string[]): void {
    const df = new Float32Array(this.dimension);
    for (const text of corpus) {
      const { words, chars } = this.counts(text);
      for (const key of words.keys()) df[key]!++;
      for (const key of chars.keys()) df[key]!++;
    }
    // Smoothed IDF (as scikit-learn's): features never seen in the corpus get the highest weight.
    const n = corpus.length;
    const idf = new Float32Array(this.dimension);
    for (let i = 0; i < idf.length; i++) idf[i] = Math.log((1 + n) / (1 + df[i]!)) + 1;
    this.idf = idf;
  }

  private vector(text: string): SparseVector {
    const { words, chars } = this.counts(text);
    const merged = new Map<number, number>();
    const part = (m: Map<number, number>, share: number) => {
      let norm = 0;
      const weighted: Array<[number, number]> = [];
      for (const [key, tf] of m) {
        const w = (1 + Math.log(tf)) * (this.idf ? this.idf[key]! : 1);
        weighted.push([key, w]);
        norm += w * w;
      }
      if (norm === 0) return;
      const scale = Math.sqrt(share / norm);
      for (const [key, w] of weighted) merged.set(key, (merged.get(key) ?? 0) + w * scale);
    };
    part(words, this.opts.wordWeight);
    part(chars, 1 - this.opts.wordWeight);
    const keys = [...merged.keys()].sort((a, b) => a - b);
    const indices = Int32Array.from(keys);
    const values = new Float32Array(keys.length);
    let norm = 0;
    for (let k = 0; k < keys.length; k++) {
      values[k] = merged.get(keys[k]!)!;
      norm += values[k]! * values[k]!;
    }
    if (norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let k = 0; k < values.length; k++) values[k]! *= inv;
    }
    return { indices, values };
  }

  async embedSparse(texts: string[]): Promise<SparseVector[]> {
    return texts.map((t) => this.vector(t));
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map((t) => sparseToDense(this.vector(t), this.dimension));
  }
}
