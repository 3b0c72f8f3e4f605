/**
 * The SentencePiece tokenizer of Universal Sentence Encoder lite, as TensorFlow.js ships it
 * (@tensorflow-models/universal-sentence-encoder, Apache-2.0, repeated in @energetic-ai/embeddings):
 * a Viterbi search over the vocabulary's pieces and scores. Ported line for line, quirks included
 * (a best score of 0 counts as "none yet"; runs of unknown characters merge into one id 0), because the
 * model was trained on exactly these ids: test/unit/bot-use-lite.test.ts checks it against the original.
 */
const SEPARATOR = '\u2581';
const RESERVED_SYMBOLS = 6;

interface TrieNode {
  children: Map<string, TrieNode>;
  end: boolean;
  /** The piece's symbols, score and vocabulary index (for nodes where a piece ends). */
  symbols: string[];
  score: number;
  index: number;
}

const newNode = (symbols: string[]): TrieNode => ({ children: new Map(), end: false, symbols, score: 0, index: 0 });

export class UseTokenizer {
  private readonly root = newNode([]);

  /** vocabulary: [piece, score] pairs, index = token id (vocab.json of the model package). */
  constructor(private readonly vocabulary: Array<[string, number]>) {
    for (let i = RESERVED_SYMBOLS; i < vocabulary.length; i++) this.insert(vocabulary[i]![0], vocabulary[i]![1], i);
  }

  private insert(piece: string, score: number, index: number): void {
    let node = this.root;
    const symbols = [...piece];
    symbols.forEach((s, i) => {
      let child = node.children.get(s);
      if (!child) node.children.set(s, (child = newNode([...node.symbols, s])));
      node = child;
      if (i === symbols.length - 1) {
        node.end = true;
        node.score = score;
        node.index = index;
      }
    });
  }

  /** Pieces that start at `from`; an unknown symbol alone (id 0, score 0) when none does. */
  private prefixes(symbols: string[], from: number): Array<{ length: number; score: number; index: number }> {
    const out: Array<{ length: number; score: number; index: number }> = [];
    let node = this.root.children.get(symbols[from]!);
    for (let i = from; i < symbols.length && node; i++) {
      if (node.end) out.push({ length: node.symbols.length, score: node.score, index: node.index });
      node = node.children.get(symbols[i + 1]!);
    }
    if (out.length === 0) out.push({ length: 1, score: 0, index: 0 });
    return out;
  }

  encode(text: string): number[] {
    const normalized = text.normalize('NFKC');
    const input = normalized.length > 0 ? SEPARATOR + normalized.replace(/ /g, SEPARATOR) : normalized;
    const symbols = [...input];
    const n = symbols.length;
    // lattice[end] lists the pieces ending at `end`, grouped by start in ascending order (as the original
    // iterates an object's integer keys).
    const lattice: Array<Map<number, Array<{ length: number; score: number; index: number }>>> = [];
    for (let i = 0; i <= n; i++) lattice.push(new Map());
    const words = new Array<number>(n + 1).fill(0);
    const best = new Array<number>(n + 1).fill(0);
    for (let i = 0; i < n; i++) {
      for (const piece of this.prefixes(symbols, i)) {
        const ends = lattice[i + piece.length]!;
        const list = ends.get(i);
        if (list) list.push(piece);
        else ends.set(i, [piece]);
      }
    }
    for (let end = 0; end <= n; end++) {
      for (const start of [...lattice[end]!.keys()].sort((a, b) => a - b)) {
        for (const piece of lattice[end]!.get(start)!) {
          const score = piece.score + best[end - piece.length]!;
          if (best[end] === 0 || score >= best[end]!) {
            best[end] = score;
            words[end] = piece.index;
          }
        }
      }
    }
    const reversed: number[] = [];
    // The original steps back by the piece's length in UTF-16 units.
    for (let i = words.length - 1; i > 0; i -= this.vocabulary[words[i]!]![0].length) reversed.push(words[i]!);
    const merged: number[] = [];
    let previousUnknown = false;
    for (const id of reversed) {
      if (!(previousUnknown && id === 0)) merged.push(id);
      previousUnknown = id === 0;
    }
    return merged.reverse();
  }
}
