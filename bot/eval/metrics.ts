/**
 * The figures the harness reports, and the operating threshold it chooses. An "outcome" is one query:
 * the classifier's confidence, whether its top class was right, and whether the query was in scope at all
 * (an out-of-scope query is never right: answering it is an error, handing it off is correct).
 */
export interface Outcome {
  confidence: number;
  correct: boolean;
  inScope: boolean;
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
