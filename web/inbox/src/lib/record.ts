/** Turning the loosely shaped parts of the Article 30 record into plain-text tables. */

import { dateLike, formatNumber } from './format.ts';
import { tp } from './privacy-i18n.ts';

export type TextTable = { columns: string[]; keys: string[]; rows: string[][] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// The record's and the catalog's own keys, named in the agent's language (inbox-privacy: record.key.*). A key the
// catalog does not know yet (a newer server's) is humanized from its spelling instead.
const NAMED_KEYS = new Set([
  'name',
  'purpose',
  'legalBasis',
  'dataSubjects',
  'dataCategories',
  'recipients',
  'retention',
  'role',
  'location',
  'country',
  'transferBasis',
  'listedBecause',
  'personalData',
  'label',
  'description',
  'dataClass',
  'enabled',
  'retainDays',
  'contact',
  'privacyPolicyUrl',
  'securityMeasures',
  'identifier',
  'contact_detail',
  'message_content',
  'recording',
  'metadata',
  'consent',
  'credential',
  'channels',
  'channel',
  'connection',
  'contents',
  'dataDirPaths',
  'tables',
  'files',
]);

/** "legalBasis" / "legal_basis" -> "Legal basis" (or its name in the agent's language). */
export function humanKey(key: string): string {
  if (NAMED_KEYS.has(key)) return tp(`record.key.${key}`);
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Any JSON value as one line of text: lists joined, objects as "key: value" pairs, names preferred. */
export function textOf(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? tp('record.yes') : tp('record.no');
  if (typeof value === 'string') return value ? dateLike(value) : '—';
  if (typeof value === 'number') return formatNumber(value);
  if (Array.isArray(value)) return value.length === 0 ? '—' : value.map(textOf).join(', ');
  if (isObject(value)) {
    for (const key of ['name', 'label', 'title']) if (typeof value[key] === 'string') return value[key] as string;
    return Object.entries(value)
      .map(([k, v]) => `${humanKey(k)}: ${textOf(v)}`)
      .join('; ');
  }
  return String(value);
}

/** A list of objects as a table whose columns are the union of their keys, in first-seen order. */
export function tableOf(items: unknown[]): TextTable {
  const keys: string[] = [];
  for (const item of items) {
    if (!isObject(item)) continue;
    for (const key of Object.keys(item)) if (!keys.includes(key)) keys.push(key);
  }
  if (keys.length === 0) return { columns: [tp('record.value')], keys: ['value'], rows: items.map((i) => [textOf(i)]) };
  return {
    columns: keys.map(humanKey),
    keys,
    rows: items.map((item) => keys.map((k) => (isObject(item) ? textOf(item[k]) : textOf(item)))),
  };
}

/** An object's fields as label/value pairs (for the controller block). */
export function fieldsOf(value: unknown): Array<[string, string]> {
  if (!isObject(value)) return value === null || value === undefined ? [] : [[tp('record.value'), textOf(value)]];
  return Object.entries(value).map(([k, v]) => [humanKey(k), textOf(v)]);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An audit detail value in one short line: ids shortened, counts as "name n · name n". */
export function detailText(value: unknown): { text: string; title: string | null } {
  if (typeof value === 'string' && UUID.test(value)) return { text: `${value.slice(0, 8)}…`, title: value };
  if (isObject(value)) {
    const text = Object.entries(value)
      .map(([k, v]) => `${k.replace(/_/g, ' ')} ${textOf(v)}`)
      .join(' · ');
    return { text: text || '—', title: null };
  }
  return { text: textOf(value), title: null };
}
