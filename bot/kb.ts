/**
 * The knowledge-base index: every article's example questions (and its title) embedded, and a classifier
 * head trained over them whose calibrated probabilities rank the articles for a customer's message.
 */
import { type IntentClassifier, NearestNeighbourClassifier, type SoftmaxOptions, holdOut, rank } from './classifier.ts';
import { DEFAULT_HEAD, type HeadConfig, trainHead } from './heads.ts';
import { type Embedder, type SparseVector, adaptTo, embedAsSparse } from './embedders/types.ts';
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

export interface KbIndexOptions {
  /** softmax (default) needs two or more articles; with fewer the nearest-neighbour head is used. */
  head?: HeadKind;
  /** How the softmax head is built (DEFAULT_HEAD: an encoder head and a lexical head, logits added). */
  softmaxHead?: HeadConfig;
  softmax?: SoftmaxOptions;
  /**
   * Off-topic examples: questions the bot must not answer with any article. The softmax head learns them as
   * one more class whose probability no article gets, so similar questions score low and are handed off.
   */
  offTopic?: string[];
  /** Candidates returned per match (and logged with the decision). */
  topK?: number;
  /** Share of examples held out to fit the softmax temperature before the final fit on all of them. */
  calibrationShare?: number;
}

export class KnowledgeBaseIndex {
  constructor(
    /** Already adapted to the KB's texts. */
    readonly embedder: Embedder,
    readonly articleIds: string[],
    readonly classifier: IntentClassifier | null,
    private readonly topK: number,
  ) {}

  static async build(
    embedder: Embedder,
    articles: KbArticle[],
    options: KbIndexOptions = {},
  ): Promise<KnowledgeBaseIndex> {
    const topK = options.topK ?? 3;
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
    const adapted = adaptTo(embedder, texts);
    const vectors = await embedAsSparse(adapted, texts);
    const head = articles.length < 2 ? 'nearest-neighbour' : (options.head ?? 'softmax');
    const offTopic = (options.offTopic ?? []).filter((q) => q.trim() !== '');
    const classifier =
      head === 'softmax'
        ? trainHead(vectors, labels, articles.length, adapted, options.softmaxHead ?? DEFAULT_HEAD, {
            softmax: options.softmax,
            heldOut: holdOut(labels, options.calibrationShare ?? 0.2, options.softmax?.seed ?? 1),
            ...(offTopic.length > 0 ? { offTopic: await embedAsSparse(adapted, offTopic) } : {}),
          }).classifier
        : new NearestNeighbourClassifier(articles.length, vectors, labels, adapted.dimension);
    return new KnowledgeBaseIndex(adapted, ids, classifier, topK);
  }

  async match(text: string): Promise<Match> {
    if (!this.classifier) return { candidates: [] };
    const [vector] = await embedAsSparse(this.embedder, [text]);
    return this.matchVector(vector!);
  }

  matchVector(vector: SparseVector): Match {
    if (!this.classifier) return { candidates: [] };
    const candidates: Candidate[] = rank(this.classifier.scores(vector), this.topK).map((r) => ({
      articleId: this.articleIds[r.label]!,
      score: r.score,
    }));
    return { candidates };
  }
}
