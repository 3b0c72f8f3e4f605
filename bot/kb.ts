/**
 * The knowledge-base index: every article's example questions (and its title) embedded, and the bot's head
 * (bot/heads.ts, DEFAULT_HEAD) trained over them together with off-topic examples (the shipped ones,
 * bot/off-topic.ts) as a reject class. The decision rule, the same in the server and in npm run bench:bot:
 *
 *   answer with the best article  iff  its calibrated probability >= the threshold
 *                                 and  the message's similarity to that article's nearest example >= the floor.
 *
 * The index also cross-validates itself on its own examples plus the off-topic ones (`calibration`): the
 * outcomes give the expected precision and coverage at every threshold and off-topic mix (the admin's curve)
 * and the recommended threshold (97 % precision at 18 % off-topic traffic).
 */
import {
  type IntentClassifier,
  NearestNeighbourClassifier,
  type SoftmaxOptions,
  fitTemperature,
  holdOut,
  rank,
  runStepsAsync,
  softmaxInPlace,
} from './classifier.ts';
import { DEFAULT_HEAD, type HeadConfig, OffTopicClassifier, trainOnceSteps } from './heads.ts';
import { type Embedder, type SparseVector, adaptTo, embedAsSparse } from './embedders/types.ts';
import {
  type GroupShares,
  type Outcome,
  OPERATING_MIX,
  precisionCurve,
  thresholdForPrecisionAtMix,
} from './eval/metrics.ts';
import { seededRandom, shuffleInPlace } from './random.ts';
import type { Candidate, Match } from './policy.ts';

export interface KbArticle {
  id: string;
  title: string;
  body?: string;
  language?: string;
  /** Example questions this article answers; the more (and the more varied), the better. */
  questions: string[];
}

export type HeadKind = 'softmax' | 'nearest-neighbour';

/**
 * The similarity floor: below this cosine between the message and the best article's nearest example the bot
 * hands off whatever the probability says (a question unlike anything in the KB). Chosen on public data with
 * KBs of 10, 30 and all intents (bot/README.md); it removes far-off questions without touching paraphrases.
 */
export const DEFAULT_FLOOR = 0.25;
/** Off-topic examples at least this similar to one of the KB's own questions are dropped: the KB covers them. */
export const DEFAULT_OFF_TOPIC_PRUNE = 0.6;
/** The precision the recommended threshold aims at, at OPERATING_MIX off-topic traffic. */
export const TARGET_PRECISION = 0.97;
/**
 * The recommended threshold is never below this: an article the head thinks less likely than all the rest
 * together is not an answer, however few wrong answers a small KB's cross-validation happened to show.
 */
export const MIN_RECOMMENDED_THRESHOLD = 0.5;
/**
 * Off-topic traffic is of two kinds: generic questions (the shipped examples stand for them) and "near" ones,
 * questions about the KB's own subject that no article covers (the cross-validation's left-out articles stand
 * for them). The more articles a KB has, the less of its subject is left uncovered, so the near share of
 * off-topic traffic is taken as NEAR_REFERENCE_ARTICLES / articles, at most all of it: 100 % for a KB of
 * 20 articles or fewer, 67 % for 30, 26 % for 77, 13 % for 150. Chosen by measurement on Banking77 and
 * CLINC150 KBs of 10, 30 and all intents (bot/README.md): a fixed half-and-half split over-promised on small KBs
 * (whose test traffic is mostly uncovered neighbouring intents) and handed off a third of the answerable
 * questions on whole ones (whose off-topic traffic is generic).
 */
export const NEAR_REFERENCE_ARTICLES = 20;

export function nearShare(articles: number): number {
  return Math.min(1, NEAR_REFERENCE_ARTICLES / Math.max(1, articles));
}

/**
 * How many standard errors below the cross-validated precision the recommended threshold is judged
 * (eval/metrics.ts wilsonLowerBound): the precision's lower bound, not its estimate, must reach the target.
 */
export const PRECISION_MARGIN_Z = 0;

/**
 * The recommended threshold: the lowest whose cross-validated precision reaches TARGET_PRECISION at
 * OPERATING_MIX off-topic traffic, near questions weighted by nearShare(articles), judged PRECISION_MARGIN_Z
 * standard errors below the estimate; never below MIN_RECOMMENDED_THRESHOLD. The server's index and bench:bot
 * both take it from here.
 */
export function recommendedThreshold(
  outcomes: Outcome[],
  articles: number,
  near = nearShare(articles),
  z = PRECISION_MARGIN_Z,
): number {
  return Math.max(
    MIN_RECOMMENDED_THRESHOLD,
    thresholdForPrecisionAtMix(outcomes, TARGET_PRECISION, OPERATING_MIX, { near }, z),
  );
}

/** Up to this many examples the calibration is 5-fold cross-validation; above, one stratified hold-out. */
export const CROSS_VALIDATION_MAX_EXAMPLES = 3000;

/**
 * The knowledge base's limits, enforced by the KB API (400 kb_limit): the bot is measured up to 20,000 example
 * questions (p95 latency and training time in bot/README.md); a rebuild after a change at that size takes
 * minutes of CPU in the background.
 */
export const KB_LIMITS = { articles: 1000, questionsPerArticle: 200, questions: 20_000 } as const;

export interface BuildProgress {
  phase: 'embedding' | 'training' | 'ready';
  /** 0..1 over the whole build. */
  fraction: number;
}

export interface KbIndexOptions {
  /** softmax (default) needs two classes (articles, plus the off-topic class); else nearest neighbour. */
  head?: HeadKind;
  /** How the softmax head is built (DEFAULT_HEAD: an encoder head and a lexical head, logits added). */
  softmaxHead?: HeadConfig;
  softmax?: SoftmaxOptions;
  /**
   * Off-topic examples: questions the bot must not answer with any article (the server passes the shipped
   * ones, bot/off-topic.ts). The softmax head learns them as one more class whose probability no article gets.
   */
  offTopic?: string[];
  /** Off-topic examples at least this similar to a KB example are dropped [DEFAULT_OFF_TOPIC_PRUNE]. */
  pruneOffTopicAbove?: number;
  /** The similarity floor [DEFAULT_FLOOR]. */
  floor?: number;
  /** Share of off-topic traffic taken to be near questions when recommending the threshold [nearShare(articles)]. */
  nearShare?: number;
  /** Candidates returned per match (and logged with the decision). */
  topK?: number;
  /** Cross-validation folds; default 5 up to CROSS_VALIDATION_MAX_EXAMPLES examples, else 1 (a hold-out). */
  folds?: number;
  /** With one fold: the share of each article's examples held out [0.2]. */
  calibrationShare?: number;
  onProgress?: (progress: BuildProgress) => void;
}

/** One held-out example scored by a model that did not learn it. */
export interface CalibrationOutcome extends Outcome {
  /** Calibrated probability of the best article. */
  probability: number;
  /** Cosine similarity to that article's nearest example (of those the probe learned from). */
  similarity: number;
}

export interface Calibration {
  /** `confidence` is the probability, or -1 when the similarity is below the floor (never answered). */
  outcomes: CalibrationOutcome[];
  folds: number;
  temperature: number | null;
  /** Off-topic examples learned (after pruning) and dropped because the KB covers them. */
  offTopicUsed: number;
  offTopicPruned: number;
  /** How off-topic outcomes share the off-topic weight (the near share: nearShare(articles) by default). */
  groupShares: GroupShares;
  /** recommendedThreshold(outcomes, articles); null
   * when there is nothing to cross-validate (a KB of one example per article and no off-topic examples). */
  threshold: number | null;
}

const CHUNK = 64;

/** Max cosine between `q` (scattered into `scratch`) and any of `examples`. */
function maxDot(scratch: Float32Array, examples: readonly SparseVector[]): number {
  let best = -1;
  for (const e of examples) {
    let dot = 0;
    for (let k = 0; k < e.indices.length; k++) dot += e.values[k]! * scratch[e.indices[k]!]!;
    if (dot > best) best = dot;
  }
  return best;
}

function scatter(scratch: Float32Array, v: SparseVector, on: boolean) {
  for (let k = 0; k < v.indices.length; k++) scratch[v.indices[k]!] = on ? v.values[k]! : 0;
}

/** Stratified fold of every example (-1: never held out), K folds, or one hold-out of `share`. */
function assignFolds(labels: number[], folds: number, share: number, seed: number): Int32Array {
  const out = new Int32Array(labels.length).fill(-1);
  if (folds <= 1) {
    for (const i of holdOut(labels, share, seed)) out[i] = 0;
    return out;
  }
  const byLabel = new Map<number, number[]>();
  labels.forEach((l, i) => byLabel.set(l, [...(byLabel.get(l) ?? []), i]));
  const random = seededRandom(seed);
  let offset = 0;
  for (const label of [...byLabel.keys()].sort((a, b) => a - b)) {
    const list = byLabel.get(label)!;
    if (list.length < 2) continue; // an article's only example stays in every fold
    shuffleInPlace(list, random).forEach((i, k) => (out[i] = (k + offset) % folds));
    offset += list.length;
  }
  return out;
}

export class KnowledgeBaseIndex {
  private readonly scratch: Float32Array;

  constructor(
    /** Already adapted to the KB's texts. */
    readonly embedder: Embedder,
    readonly articleIds: string[],
    readonly classifier: IntentClassifier | null,
    private readonly topK: number,
    /** Each article's example vectors, for the similarity floor. */
    private readonly examples: SparseVector[][] = [],
    readonly floor = 0,
    readonly calibration: Calibration | null = null,
    /** Example questions indexed (titles included). */
    readonly questionCount = 0,
  ) {
    this.scratch = new Float32Array(examples.length ? embedder.dimension : 0);
  }

  static async build(
    embedder: Embedder,
    articles: KbArticle[],
    options: KbIndexOptions = {},
  ): Promise<KnowledgeBaseIndex> {
    const topK = options.topK ?? 3;
    const floor = options.floor ?? DEFAULT_FLOOR;
    const progress = options.onProgress ?? (() => {});
    const texts: string[] = [];
    const labels: number[] = [];
    articles.forEach((a, label) => {
      for (const q of [a.title, ...a.questions]) {
        if (q.trim() === '') continue;
        texts.push(q);
        labels.push(label);
      }
    });
    const ids = articles.map((a) => a.id);
    if (texts.length === 0) return new KnowledgeBaseIndex(embedder, ids, null, topK);
    const n = articles.length;
    const adapted = adaptTo(embedder, texts);
    const offTexts = [...new Set((options.offTopic ?? []).filter((q) => q.trim() !== ''))];
    // Embedding is a fifth of the work, training the rest (by the step counts below).
    const allTexts = [...texts, ...offTexts];
    const vectorsAll: SparseVector[] = [];
    for (let i = 0; i < allTexts.length; i += CHUNK) {
      vectorsAll.push(...(await embedAsSparse(adapted, allTexts.slice(i, i + CHUNK))));
      progress({ phase: 'embedding', fraction: (0.2 * Math.min(allTexts.length, i + CHUNK)) / allTexts.length });
    }
    const vectors = vectorsAll.slice(0, texts.length);
    const examples: SparseVector[][] = articles.map(() => []);
    vectors.forEach((v, i) => examples[labels[i]!]!.push(v));

    // Off-topic examples the KB itself covers are not off-topic for it.
    const scratch = new Float32Array(adapted.dimension);
    const prune = options.pruneOffTopicAbove ?? DEFAULT_OFF_TOPIC_PRUNE;
    const off: SparseVector[] = [];
    for (const v of vectorsAll.slice(texts.length)) {
      scatter(scratch, v, true);
      if (maxDot(scratch, vectors) < prune) off.push(v);
      scatter(scratch, v, false);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }

    const C = off.length > 0 ? n + 1 : n;
    const head = C < 2 ? 'nearest-neighbour' : (options.head ?? 'softmax');
    if (head === 'nearest-neighbour') {
      progress({ phase: 'ready', fraction: 1 });
      return new KnowledgeBaseIndex(
        adapted,
        ids,
        new NearestNeighbourClassifier(n, vectors, labels, adapted.dimension),
        topK,
        examples,
        floor,
        null,
        texts.length,
      );
    }

    const seed = options.softmax?.seed ?? 1;
    const folds = options.folds ?? (texts.length <= CROSS_VALIDATION_MAX_EXAMPLES ? 5 : 1);
    const foldOf = assignFolds(labels, folds, options.calibrationShare ?? 0.2, seed);
    // Off-topic examples: K folds in turn, or every other one held out with a single hold-out.
    const offFoldOf = off.map((_, i) => (folds > 1 ? i % folds : off.length > 1 && i % 2 === 1 ? 0 : -1));
    const config = options.softmaxHead ?? DEFAULT_HEAD;
    const base = options.softmax ?? {};
    const members = config.kind === 'ensemble' ? config.members.length : 1;
    const rounds = Math.max(1, folds);
    const fits = rounds + 1;
    let fitsDone = 0;
    const train = async (inVs: SparseVector[], inLs: number[], offVs: SparseVector[]) => {
      // A small KB against many off-topic examples: its examples are repeated until they weigh as much in
      // training as the off-topic class, or the reject class would take every paraphrase's probability.
      const repeat = Math.max(1, Math.round(offVs.length / Math.max(1, inVs.length)));
      const vs: SparseVector[] = [];
      const ls: number[] = [];
      for (let r = 0; r < repeat; r++) {
        vs.push(...inVs);
        ls.push(...inLs);
      }
      vs.push(...offVs);
      ls.push(...offVs.map(() => n));
      const batches = Math.ceil(vs.length / (base.batchSize ?? 32));
      const epochs = Math.max(base.epochs ?? 10, Math.ceil((base.minSteps ?? 300) / batches));
      const expected = epochs * batches * members;
      let steps = 0;
      const inner = trainOnceSteps(vs, ls, C, adapted, config, base);
      const counted = (function* () {
        for (;;) {
          const r = inner.next();
          if (r.done) return r.value;
          if (++steps % 50 === 0)
            progress({ phase: 'training', fraction: 0.2 + (0.8 * (fitsDone + Math.min(1, steps / expected))) / fits });
          yield;
        }
      })();
      const model = await runStepsAsync(counted);
      fitsDone++;
      return model;
    };

    // Articles each probe does not learn at all: their held-out questions stand for the questions customers ask
    // that are close to the KB but not covered by it ("near" off-topic), which the shipped examples are not.
    const leftOut = new Int32Array(n).fill(-1);
    if (n >= 5)
      shuffleInPlace(
        articles.map((_, a) => a),
        seededRandom(seed + 7),
      ).forEach((a, k) => {
        if (folds > 1) leftOut[a] = k % rounds;
        else if (k % 10 === 0) leftOut[a] = 0;
      });
    // Cross-validation: each probe learns everything but one fold and scores that fold.
    const held: Array<{ logits: Float64Array; label: number; vector: SparseVector; fold: number; near?: boolean }> = [];
    const foldExamples: SparseVector[][][] = [];
    for (let k = 0; k < rounds; k++) {
      const fit = labels.map((_, i) => i).filter((i) => foldOf[i] !== k && leftOut[labels[i]!] !== k);
      const near = labels.map((_, i) => i).filter((i) => foldOf[i] === k && leftOut[labels[i]!] === k);
      const offFit = off.filter((_, i) => offFoldOf[i] !== k);
      const heldIn = labels.map((_, i) => i).filter((i) => foldOf[i] === k && leftOut[labels[i]!] !== k);
      const heldOff = off.filter((_, i) => offFoldOf[i] === k);
      if (heldIn.length + heldOff.length === 0) continue;
      const probe = await train(
        fit.map((i) => vectors[i]!),
        fit.map((i) => labels[i]!),
        offFit,
      );
      const ex: SparseVector[][] = articles.map(() => []);
      for (const i of fit) ex[labels[i]!]!.push(vectors[i]!);
      foldExamples[k] = ex;
      for (const i of heldIn)
        held.push({ logits: probe.logits(vectors[i]!), label: labels[i]!, vector: vectors[i]!, fold: k });
      for (const v of heldOff) held.push({ logits: probe.logits(v), label: n, vector: v, fold: k });
      for (const i of near)
        held.push({ logits: probe.logits(vectors[i]!), label: n, vector: vectors[i]!, fold: k, near: true });
    }
    const final = await train(vectors, labels, off);
    // The temperature is fitted on what the probes could know: their articles and the off-topic class.
    const known = held.filter((h) => !h.near);
    const temperature =
      known.length > 0
        ? fitTemperature(
            known.map((h) => h.logits),
            known.map((h) => h.label),
          )
        : 1;
    final.temperature = temperature;
    const classifier: IntentClassifier = off.length > 0 ? new OffTopicClassifier(n, final) : final;

    const outcomes: CalibrationOutcome[] = held.map((h) => {
      const p = Float64Array.from(h.logits);
      softmaxInPlace(p, temperature);
      const [top] = rank(p.subarray(0, n), 1);
      scatter(scratch, h.vector, true);
      const similarity = maxDot(scratch, foldExamples[h.fold]![top!.label]!);
      scatter(scratch, h.vector, false);
      return {
        probability: top!.score,
        similarity,
        confidence: similarity >= floor ? top!.score : -1,
        correct: h.label < n && top!.label === h.label,
        inScope: h.label < n,
        ...(h.near ? { group: 'near' } : {}),
      };
    });
    const inScope = outcomes.filter((o) => o.inScope).length;
    progress({ phase: 'ready', fraction: 1 });
    return new KnowledgeBaseIndex(
      adapted,
      ids,
      classifier,
      topK,
      examples,
      floor,
      {
        outcomes,
        folds,
        temperature,
        offTopicUsed: off.length,
        offTopicPruned: offTexts.length - off.length,
        groupShares: { near: options.nearShare ?? nearShare(n) },
        threshold: inScope > 0 ? recommendedThreshold(outcomes, n, options.nearShare ?? nearShare(n)) : null,
      },
      texts.length,
    );
  }

  /** Expected precision and coverage per threshold and off-topic mix, from the cross-validation. */
  curve() {
    return this.calibration ? precisionCurve(this.calibration.outcomes, undefined, this.calibration.groupShares) : [];
  }

  async match(text: string): Promise<Match> {
    if (!this.classifier) return { candidates: [] };
    const [vector] = await embedAsSparse(this.embedder, [text]);
    return this.matchVector(vector!);
  }

  matchVector(vector: SparseVector): Match {
    if (!this.classifier) return { candidates: [] };
    const ranked = rank(this.classifier.scores(vector), this.topK);
    const candidates: Candidate[] = ranked.map((r) => ({ articleId: this.articleIds[r.label]!, score: r.score }));
    if (ranked.length === 0 || this.examples.length === 0) return { candidates };
    scatter(this.scratch, vector, true);
    const similarity = maxDot(this.scratch, this.examples[ranked[0]!.label]!);
    scatter(this.scratch, vector, false);
    return { candidates, similarity, floor: this.floor };
  }
}
