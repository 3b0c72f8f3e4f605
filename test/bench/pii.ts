/**
 * Precision and recall of each PII detector on the labelled examples (test/fixtures/pii-examples.ts), and how
 * fast detection runs. A found span counts when its kind and text equal a labelled one.
 */
import { detectPii } from '../../server/privacy/pii/detect.ts';
import { piiKinds, type PiiKind } from '../../server/privacy/pii/types.ts';
import { piiExamples } from '../fixtures/pii-examples.ts';
import { table } from './lib.ts';

const score = Object.fromEntries(piiKinds.map((k) => [k, { tp: 0, fp: 0, fn: 0, labelled: 0 }])) as Record<
  PiiKind,
  { tp: number; fp: number; fn: number; labelled: number }
>;
const misses: string[] = [];
for (const example of piiExamples) {
  const found = detectPii(example.text).map((f) => `${f.kind}\n${example.text.slice(f.start, f.end)}`);
  const wanted = example.expect.map((e) => `${e.kind}\n${e.value}`);
  for (const w of wanted) score[w.split('\n')[0] as PiiKind].labelled++;
  for (const f of found) {
    const kind = f.split('\n')[0] as PiiKind;
    if (wanted.includes(f)) score[kind].tp++;
    else {
      score[kind].fp++;
      misses.push(`false positive ${kind}: ${JSON.stringify(example.text)}`);
    }
  }
  for (const w of wanted) {
    if (found.includes(w)) continue;
    const kind = w.split('\n')[0] as PiiKind;
    score[kind].fn++;
    misses.push(`missed ${kind}: ${JSON.stringify(example.text)}`);
  }
}

const pct = (n: number, d: number) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`);
const negatives = piiExamples.filter((e) => e.expect.length === 0).length;
console.log(`PII detectors on ${piiExamples.length} labelled examples (${negatives} with nothing to find)\n`);
console.log(
  table(
    ['detector', 'labelled', 'found right', 'false pos.', 'missed', 'precision', 'recall'],
    piiKinds.map((k) => {
      const s = score[k];
      return [k, s.labelled, s.tp, s.fp, s.fn, pct(s.tp, s.tp + s.fp), pct(s.tp, s.tp + s.fn)].map(String);
    }),
  ),
);
if (misses.length) console.log(`\n${misses.join('\n')}`);

// Throughput: every example text, many times over (detection runs on every arriving message).
const texts = piiExamples.map((e) => e.text);
const rounds = 2000;
const started = performance.now();
for (let r = 0; r < rounds; r++) for (const t of texts) detectPii(t);
const seconds = (performance.now() - started) / 1000;
console.log(
  `\nthroughput: ${Math.round((rounds * texts.length) / seconds).toLocaleString('en')} messages/s (one core)`,
);
