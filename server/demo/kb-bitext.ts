import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A realistic demo knowledge base from the public Bitext customer-support dataset (CDLA-Sharing-1.0),
 * read at run time from ../shared/data when it is present (it is never copied into this repository):
 * one article per intent, its example questions taken from the dataset, its answer the dataset's reply
 * with the template placeholders filled in.
 */
const DATASET = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../shared/data/bitext-customer-support/Bitext_Sample_Customer_Support_Training_Dataset.csv',
);

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const placeholder = (name: string) =>
  ({
    'Website Name': 'our website',
    'Customer Support Phone Number': 'our support line',
    'Customer Support Hours': 'during our opening hours',
    'Customer Support Availability': 'during our opening hours',
    'Live Chat Support': 'this chat',
    'Live Chat': 'this chat',
  })[name] ?? name.replace(/ Anonymized$/, '').toLowerCase();

const humanize = (intent: string) => intent.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

export function bitextArticles(path = DATASET, questionsPerArticle = 40) {
  if (!existsSync(path)) return null;
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
  const col = (name: string) => header!.indexOf(name);
  const [instruction, intent, response] = [col('instruction'), col('intent'), col('response')];
  const byIntent = new Map<string, { questions: Set<string>; responses: string[] }>();
  for (const r of rows) {
    const key = r[intent];
    // Asking for a person is the policy's hand-off, never an article the bot "answers" with.
    if (!key || !r[instruction] || key === 'contact_human_agent') continue;
    const entry = byIntent.get(key) ?? { questions: new Set(), responses: [] };
    if (entry.questions.size < questionsPerArticle) entry.questions.add(r[instruction]!.trim());
    if (r[response]) entry.responses.push(r[response]!);
    byIntent.set(key, entry);
  }
  return [...byIntent.entries()].map(([key, entry]) => {
    // The shortest reply reads best in a chat bubble.
    const body = entry.responses.sort((a, b) => a.length - b.length)[0] ?? '';
    return {
      title: humanize(key),
      body: body.replace(/\{\{([^}]+)\}\}/g, (_, name: string) => placeholder(name.trim())),
      language: 'en',
      questions: [...entry.questions],
    };
  });
}
