/**
 * The figures the harness reports, and the operating threshold it chooses. An "outcome" is one query:
 * the classifier's confidence, whether its top class was right, and whether the query was in scope at all
 * (an out-of-scope query is never right: answering it is an error, handing it off is correct).
 */
export interface Outcome {
  confidence: number;
  correct: boolean;
  inScope: boolean;
  /** Off-topic outcomes of different kinds (e.g. 'near': questions of articles the probe did not learn) share
   * the off-topic weight equally between the kinds in the mixed figures. */
  group?: string;
}

export interface OperatingFigures {
  threshold: number;
  /** Top-1 accuracy on in-scope queries, ignoring the threshold (closed-set accuracy). */
  accuracy: number;
  /** In-scope queries answered with the right class / in-scope queries (Larson et al.'s in-scope accuracy). */
  inScopeAccuracy: number;
  /** Out-of-scope queries handed off / out-of-scope queries; null without any. */
  oosRecall: number | null;
  /** Right answers / answers. */
  precision: number;
  /** Answers / queries. */
  coverage: number;
}

export function figuresAt(outcomes: Outcome[], threshold: number): OperatingFigures {
  let inScope = 0;
  let top1 = 0;
  let answeredRight = 0;
  let answered = 0;
  let oos = 0;
  let oosHandedOff = 0;
  for (const o of outcomes) {
    const answers = o.confidence >= threshold;
    if (o.inScope) {
      inScope++;
      if (o.correct) top1++;
    } else {
      oos++;
      if (!answers) oosHandedOff++;
    }
    if (answers) {
      answered++;
      if (o.correct) answeredRight++;
    }
  }
  return {
    threshold,
    accuracy: inScope ? top1 / inScope : 0,
    inScopeAccuracy: inScope ? answeredRight / inScope : 0,
    oosRecall: oos ? oosHandedOff / oos : null,
    precision: answered ? answeredRight / answered : 1,
    coverage: outcomes.length ? answered / outcomes.length : 0,
  };
}

/**
 * The lowest threshold whose answers on the calibration outcomes reach `targetPrecision`, i.e. the one
 * that answers most while staying that precise. Scans confidences from the highest down; when no prefix
 * reaches the target, the threshold is above every confidence (the bot answers nothing).
 */
export function thresholdForPrecision(outcomes: Outcome[], targetPrecision: number): number {
  const sorted = [...outcomes].sort((a, b) => b.confidence - a.confidence);
  let right = 0;
  let best = sorted.length ? Math.min(1, sorted[0]!.confidence + 1e-6) : 1;
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i]!.correct) right++;
    // Only cut between distinct confidences: a threshold cannot split ties.
    const next = sorted[i + 1];
    if (next && next.confidence === sorted[i]!.confidence) continue;
    if (right / (i + 1) >= targetPrecision) best = sorted[i]!.confidence;
  }
  return best;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/**
 * The lowest threshold that hands off at least `targetRecall` of the out-of-scope calibration queries:
 * the operating point of the published CLINC150 comparison (in-scope accuracy at a given OOS recall).
 * Null without out-of-scope calibration queries.
 */
export function thresholdForOosRecall(outcomes: Outcome[], targetRecall: number): number | null {
  const oos = outcomes
    .filter((o) => !o.inScope)
    .map((o) => o.confidence)
    .sort((a, b) => a - b);
  if (oos.length === 0) return null;
  // Handing off k of them needs a threshold just above the k-th lowest confidence.
  const k = Math.ceil(targetRecall * oos.length);
  if (k === 0) return 0;
  return Math.min(1, oos[k - 1]! + 1e-9);
}

/** The off-topic shares of traffic the bot is calibrated and reported at: 3 %, 18 % (the operating mix), 50 %. */
export const OFF_TOPIC_MIXES = [0.03, 0.18, 0.5] as const;
export const OPERATING_MIX = 0.18;

export interface MixFigures {
  /** Share of off-topic questions in the traffic the figures are weighted to. */
  mix: number;
  /** Right answers / answers, with off-topic queries weighted to make `mix` of the traffic. */
  precision: number;
  /** Answers / queries, weighted the same way. */
  coverage: number;
  /** In-scope queries answered right / in-scope queries (does not depend on the mix). */
  inScopeAccuracy: number;
  /** Off-topic queries handed off / off-topic queries; null without any. */
  oosRecall: number | null;
}

/**
 * How the off-topic weight is shared between kinds of off-topic outcomes (`Outcome.group`): a group listed
 * here gets that share of it, the groups not listed (the ungrouped ones included) split the rest equally.
 * Shares of groups without outcomes go to the others. Without shares every group weighs the same.
 */
export type GroupShares = Readonly<Record<string, number>>;

/**
 * Weights of in-scope and off-topic outcomes so that off-topic ones make `mix` of the total weight. Without
 * off-topic outcomes every in-scope one weighs 1 (the mix cannot be simulated).
 */
function mixWeights(outcomes: Outcome[], mix: number, shares: GroupShares = {}): (o: Outcome) => number {
  let nIn = 0;
  const groups = new Map<string, number>();
  for (const o of outcomes) {
    if (o.inScope) nIn++;
    else groups.set(o.group ?? '', (groups.get(o.group ?? '') ?? 0) + 1);
  }
  if (groups.size === 0 || nIn === 0) return () => 1;
  const listed = [...groups.keys()].filter((g) => shares[g] !== undefined);
  const unlisted = groups.size - listed.length;
  const listedTotal = listed.reduce((s, g) => s + Math.max(0, shares[g]!), 0);
  // Listed shares are used as given when others remain to take the rest; alone, they are normalized.
  const shareOf = (g: string) => {
    if (shares[g] === undefined) return Math.max(0, 1 - Math.min(1, listedTotal)) / unlisted;
    const own = Math.max(0, shares[g]!);
    return unlisted > 0 ? Math.min(own, 1) : listedTotal > 0 ? own / listedTotal : 1 / groups.size;
  };
  const each = new Map([...groups].map(([g, n]) => [g, (mix * shareOf(g)) / n]));
  return (o) => (o.inScope ? (1 - mix) / nIn : each.get(o.group ?? '')!);
}

/** Figures at `threshold` with off-topic traffic reweighted to the share `mix` (a query answers at >= threshold). */
export function figuresAtMix(
  outcomes: Outcome[],
  threshold: number,
  mix: number,
  shares: GroupShares = {},
): MixFigures {
  const w = mixWeights(outcomes, mix, shares);
  let total = 0;
  let answered = 0;
  let right = 0;
  let inScope = 0;
  let inScopeRight = 0;
  let oos = 0;
  let oosHandedOff = 0;
  for (const o of outcomes) {
    const weight = w(o);
    const answers = o.confidence >= threshold;
    total += weight;
    if (answers) {
      answered += weight;
      if (o.correct) right += weight;
    }
    if (o.inScope) {
      inScope++;
      if (answers && o.correct) inScopeRight++;
    } else {
      oos++;
      if (!answers) oosHandedOff++;
    }
  }
  return {
    mix,
    precision: answered ? right / answered : 1,
    coverage: total ? answered / total : 0,
    inScopeAccuracy: inScope ? inScopeRight / inScope : 0,
    oosRecall: oos ? oosHandedOff / oos : null,
  };
}

/**
 * The Wilson score lower bound of a proportion `p` observed on `n` trials, `z` standard errors below: what the
 * proportion is at least, with (one-sided) confidence 84 % at z = 1, 95 % at z = 1.645. `n` may be an
 * effective sample size (weighted outcomes). 0 without trials.
 */
export function wilsonLowerBound(p: number, n: number, z: number): number {
  if (n <= 0) return 0;
  if (z <= 0) return p;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return (centre - spread) / (1 + z2 / n);
}

/**
 * The lowest threshold whose answers reach `targetPrecision` with off-topic traffic weighted to `mix`
 * (thresholdForPrecision with weights). Above every confidence when none does. With `z` > 0 it is the
 * precision's Wilson lower bound (wilsonLowerBound, on the answers' effective sample size, (sum w)^2 / sum w^2)
 * that must reach the target, not the estimate: a margin that is wide where few outcomes stand behind a
 * threshold (small KBs, the few highest confidences) and vanishes on large ones.
 */
export function thresholdForPrecisionAtMix(
  outcomes: Outcome[],
  targetPrecision: number,
  mix: number,
  shares: GroupShares = {},
  z = 0,
): number {
  const w = mixWeights(outcomes, mix, shares);
  const sorted = [...outcomes].sort((a, b) => b.confidence - a.confidence);
  let right = 0;
  let answered = 0;
  let squares = 0;
  let best = sorted.length ? Math.min(1, Math.max(0, sorted[0]!.confidence) + 1e-6) : 1;
  for (let i = 0; i < sorted.length; i++) {
    const o = sorted[i]!;
    if (o.confidence < 0) break; // below the similarity floor: never answered, whatever the threshold
    const weight = w(o);
    answered += weight;
    squares += weight * weight;
    if (o.correct) right += weight;
    const next = sorted[i + 1];
    if (next && next.confidence === o.confidence) continue;
    if (wilsonLowerBound(right / answered, (answered * answered) / squares, z) >= targetPrecision) best = o.confidence;
  }
  return best;
}

export interface CurvePoint {
  threshold: number;
  /** One entry per mix of OFF_TOPIC_MIXES, in that order. */
  mixes: MixFigures[];
}

/** Expected precision and coverage at thresholds 0, 0.01, ..., 1, at each off-topic mix. */
export function precisionCurve(
  outcomes: Outcome[],
  mixes: readonly number[] = OFF_TOPIC_MIXES,
  shares: GroupShares = {},
): CurvePoint[] {
  const out: CurvePoint[] = [];
  for (let i = 0; i <= 100; i++) {
    const threshold = i / 100;
    out.push({ threshold, mixes: mixes.map((m) => figuresAtMix(outcomes, threshold, m, shares)) });
  }
  return out;
}
