/**
 * The two dataset formats the harness reads: CSV with `text,category` columns (Banking77) and
 * CLINC150-style JSON ({ train, val, test, oos_train, oos_val, oos_test }: arrays of [text, intent]).
 */
import { readFileSync } from 'node:fs';
import { seededRandom, shuffleInPlace } from '../random.ts';

export interface Example {
  text: string;
  label: string;
}

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF line ends. */
export function parseCsv(source: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (quoted) {
      if (ch === '"') {
        if (source[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && source[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

export function readLabeledCsv(path: string): Example[] {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
  if (!header) throw new Error(`${path}: empty CSV`);
  const textCol = header.indexOf('text');
  const labelCol = header.findIndex((h) => h === 'category' || h === 'label' || h === 'intent');
  if (textCol < 0 || labelCol < 0) throw new Error(`${path}: expected a header with "text" and "category" columns`);
  return rows.map((r, i) => {
    const text = r[textCol];
    const label = r[labelCol];
    if (text === undefined || label === undefined) throw new Error(`${path}: row ${i + 2} has too few columns`);
    return { text, label };
  });
}

export interface ClincSplits {
  train: Example[];
  val: Example[];
  test: Example[];
  oos_train: Example[];
  oos_val: Example[];
  oos_test: Example[];
}

export function readClincJson(path: string): ClincSplits {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const split = (key: string): Example[] => {
    const value = raw[key];
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new Error(`${path}: "${key}" is not an array`);
    return value.map((pair, i) => {
      if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'string')
        throw new Error(`${path}: ${key}[${i}] is not a [text, intent] pair`);
      return { text: pair[0], label: pair[1] };
    });
  };
  const out = {
    train: split('train'),
    val: split('val'),
    test: split('test'),
    oos_train: split('oos_train'),
    oos_val: split('oos_val'),
    oos_test: split('oos_test'),
  };
  if (out.train.length === 0) throw new Error(`${path}: no "train" examples`);
  return out;
}

/**
 * Holds out `fraction` of each label's examples (rounded, at least one when a label has two or more),
 * chosen by a seeded shuffle: the same seed gives the same split on every machine.
 */
export function stratifiedSplit(
  examples: Example[],
  fraction: number,
  seed: number,
): { train: Example[]; heldOut: Example[] } {
  const byLabel = new Map<string, Example[]>();
  for (const e of examples) {
    const list = byLabel.get(e.label);
    if (list) list.push(e);
    else byLabel.set(e.label, [e]);
  }
  const random = seededRandom(seed);
  const train: Example[] = [];
  const heldOut: Example[] = [];
  for (const label of [...byLabel.keys()].sort()) {
    const list = shuffleInPlace([...byLabel.get(label)!], random);
    const n = list.length < 2 ? 0 : Math.max(1, Math.round(list.length * fraction));
    heldOut.push(...list.slice(0, n));
    train.push(...list.slice(n));
  }
  return { train, heldOut };
}
