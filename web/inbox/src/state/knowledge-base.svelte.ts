import { describeError, isApiError, type ApiClient } from '../api.ts';
import type { KbArticle, KbArticleInput, KbArticleList, KbArticleResult } from '../bot-types.ts';
import { ta } from '../lib/admin-i18n.ts';
import type { Toasts } from './toasts.svelte.ts';

/** The server's limits (KbArticleInput in server/http/views/kb.ts). */
export const KB_LIMITS = { title: 200, body: 20_000, question: 500, questions: 200 } as const;
const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z]{2,4})?$/;

export type KbDraft = KbArticleInput;
/** Where the editor goes once the agent agrees to drop unsaved changes. */
type Pending = { kind: 'open'; id: string } | { kind: 'new' } | { kind: 'close' };

const byTitle = (a: KbArticle, b: KbArticle) => a.title.localeCompare(b.title) || a.id.localeCompare(b.id);
const path = (id?: string) => (id ? `/api/kb/articles/${encodeURIComponent(id)}` : '/api/kb/articles');

/** The questions as the server stores them: trimmed, no blanks, no repeats. */
export function cleanQuestions(questions: string[]): string[] {
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a throwaway Set to drop repeats; an array leaves
  return [...new Set(questions.map((q) => q.trim()).filter(Boolean))];
}

function blankDraft(language: string): KbDraft {
  return { title: '', language, body: '', questions: [] };
}

function draftOf(article: KbArticle): KbDraft {
  return { title: article.title, language: article.language, body: article.body, questions: [...article.questions] };
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The knowledge base: every agent reads the articles; admins create, edit and delete them. The bot answers
 * only from these. The editor holds one draft (an existing article or a new one); switching away from
 * unsaved changes asks first.
 */
export class KnowledgeBase {
  items = $state<KbArticle[]>([]);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);
  query = $state('');

  /** The article in the editor, 'new' for one not created yet, null when the editor is closed. */
  editing = $state<string | 'new' | null>(null);
  draft = $state<KbDraft | null>(null);
  /** The text of the "add a question" field. */
  newQuestion = $state('');
  saving = $state(false);
  saveError = $state<string | null>(null);
  /** Unsaved changes would be lost: the page asks before doing this. */
  pending = $state<Pending | null>(null);
  confirmingDelete = $state(false);
  deleting = $state(false);

  filtered = $derived.by(() => {
    const words = this.query.trim().toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) return this.items;
    return this.items.filter((a) => {
      const text = [a.title, a.language, a.body, ...a.questions].join('\n').toLowerCase();
      return words.every((w) => text.includes(w));
    });
  });
  selected = $derived(
    this.editing && this.editing !== 'new' ? (this.items.find((a) => a.id === this.editing) ?? null) : null,
  );
  /** Most used language, offered first for a new article. */
  usualLanguage = $derived.by(() => {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local tally inside $derived; a string leaves
    const counts = new Map<string, number>();
    for (const a of this.items) counts.set(a.language, (counts.get(a.language) ?? 0) + 1);
    let best = 'en';
    let most = 0;
    for (const [language, n] of counts) if (n > most) [best, most] = [language, n];
    return best;
  });

  /** What is wrong with the draft, per field (null when fine). */
  problems = $derived.by(() => {
    const d = this.draft;
    if (!d) return { title: null, language: null, body: null, questions: null };
    const questions = cleanQuestions(d.questions);
    return {
      title: !d.title.trim()
        ? ta('editor.problemTitle')
        : d.title.trim().length > KB_LIMITS.title
          ? ta('editor.problemMax', { max: KB_LIMITS.title })
          : null,
      language: LANGUAGE.test(d.language.trim()) ? null : ta('editor.problemLanguage'),
      body: !d.body.trim()
        ? ta('editor.problemBody')
        : d.body.length > KB_LIMITS.body
          ? ta('editor.problemMax', { max: KB_LIMITS.body })
          : null,
      questions: questions.some((q) => q.length > KB_LIMITS.question)
        ? ta('editor.problemQuestionMax', { max: KB_LIMITS.question })
        : questions.length > KB_LIMITS.questions
          ? ta('editor.problemQuestions', { max: KB_LIMITS.questions })
          : null,
    };
  });
  valid = $derived(Object.values(this.problems).every((p) => p === null));
  dirty = $derived.by(() => {
    const d = this.draft;
    if (!d) return false;
    const base = this.selected ? draftOf(this.selected) : blankDraft(d.language);
    if (this.editing === 'new')
      return Boolean(d.title.trim() || d.body.trim() || cleanQuestions(d.questions).length || this.newQuestion.trim());
    return (
      d.title.trim() !== base.title ||
      d.language.trim() !== base.language ||
      d.body !== base.body ||
      !sameList(cleanQuestions(d.questions), base.questions) ||
      this.newQuestion.trim() !== ''
    );
  });
  canSave = $derived(this.draft !== null && this.valid && this.dirty && !this.saving);

  readonly #api: ApiClient;
  readonly #toasts: Toasts;
  readonly #changed: () => void;
  #generation = 0;

  constructor(api: ApiClient, toasts: Toasts, changed: () => void) {
    this.#api = api;
    this.#toasts = toasts;
    this.#changed = changed;
  }

  async load(): Promise<void> {
    const generation = ++this.#generation;
    if (this.status !== 'ready') this.status = 'loading';
    try {
      const { items } = await this.#api.get<KbArticleList>(path());
      if (generation !== this.#generation) return;
      this.items = [...items].sort(byTitle);
      this.status = 'ready';
      this.error = null;
      // The article being viewed was deleted elsewhere: close it unless there are changes to keep.
      if (this.editing && this.editing !== 'new' && !this.selected && !this.dirty) this.#close();
    } catch (err) {
      if (generation !== this.#generation) return;
      if (this.status !== 'ready') this.status = 'error';
      this.error = describeError(err, ta('kb.loadError'));
    }
  }

  setQuery(query: string): void {
    this.query = query;
  }

  byId(id: string): KbArticle | undefined {
    return this.items.find((a) => a.id === id);
  }

  /** Opens an article in the editor (asks first when that would drop unsaved changes). */
  open(id: string): void {
    if (this.editing === id) return;
    if (this.dirty) this.pending = { kind: 'open', id };
    else this.#open(id);
  }

  startNew(): void {
    if (this.editing === 'new' && !this.dirty) return;
    if (this.dirty) this.pending = { kind: 'new' };
    else this.#startNew();
  }

  close(): void {
    if (this.dirty) this.pending = { kind: 'close' };
    else this.#close();
  }

  /** The agent chose to drop the unsaved changes: go where they wanted to. */
  discardChanges(): void {
    const pending = this.pending;
    this.pending = null;
    if (!pending) return;
    if (pending.kind === 'open') this.#open(pending.id);
    else if (pending.kind === 'new') this.#startNew();
    else this.#close();
  }

  keepEditing(): void {
    this.pending = null;
  }

  /** Puts the saved article back into the draft. */
  revert(): void {
    if (this.editing === 'new') this.#startNew();
    else if (this.selected) this.#open(this.selected.id);
  }

  update(patch: Partial<KbDraft>): void {
    if (!this.draft) return;
    Object.assign(this.draft, patch);
    this.saveError = null;
  }

  setNewQuestion(text: string): void {
    this.newQuestion = text;
  }

  /** Adds the "new question" text (one question per line, if several were pasted). */
  addQuestion(): boolean {
    const d = this.draft;
    const lines = this.newQuestion
      .split(/\r?\n/)
      .map((q) => q.trim())
      .filter(Boolean);
    if (!d || lines.length === 0) return false;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup for this call, never stored
    const known = new Set(d.questions.map((q) => q.trim().toLowerCase()));

    for (const line of lines) {
      if (known.has(line.toLowerCase())) continue;
      known.add(line.toLowerCase());
      d.questions.push(line);
    }
    this.newQuestion = '';
    this.saveError = null;
    return true;
  }

  setQuestion(index: number, text: string): void {
    if (!this.draft || index < 0 || index >= this.draft.questions.length) return;
    this.draft.questions[index] = text;
    this.saveError = null;
  }

  removeQuestion(index: number): void {
    if (!this.draft || index < 0 || index >= this.draft.questions.length) return;
    this.draft.questions.splice(index, 1);
    this.saveError = null;
  }

  /** Creates the new article or saves the changed fields of an existing one. */
  async save(): Promise<boolean> {
    // A question still in the "add" field was meant to be part of the article.
    if (this.newQuestion.trim()) this.addQuestion();
    const d = this.draft;
    const editing = this.editing;
    if (!d || !editing || !this.valid || !this.dirty || this.saving) return false;
    const input: KbArticleInput = {
      title: d.title.trim(),
      language: d.language.trim(),
      body: d.body.replace(/\s+$/, ''),
      questions: cleanQuestions(d.questions),
    };
    this.saving = true;
    this.saveError = null;
    try {
      let article: KbArticle;
      if (editing === 'new') {
        ({ article } = await this.#api.post<KbArticleResult>(path(), input));
      } else {
        const before = this.selected;
        const patch: Partial<KbArticleInput> = {};
        if (!before || input.title !== before.title) patch.title = input.title;
        if (!before || input.language !== before.language) patch.language = input.language;
        if (!before || input.body !== before.body) patch.body = input.body;
        if (!before || !sameList(input.questions, before.questions)) patch.questions = input.questions;
        if (Object.keys(patch).length === 0) {
          this.#open(editing);
          return true;
        }
        ({ article } = await this.#api.patch<KbArticleResult>(path(editing), patch));
      }
      this.items = [...this.items.filter((a) => a.id !== article.id), article].sort(byTitle);
      // Follow the saved article, unless the agent moved on while the request was in flight.
      if (this.editing === editing) this.#open(article.id);
      this.#toasts.success(editing === 'new' ? `“${article.title}” was added.` : `“${article.title}” was saved.`);
      this.#changed();
      return true;
    } catch (err) {
      if (isApiError(err) && err.status === 404 && editing !== 'new') {
        this.items = this.items.filter((a) => a.id !== editing);
        this.saveError = ta('kb.deletedElsewhere');
        if (this.editing === editing) this.editing = 'new';
      } else {
        this.saveError = describeError(err, ta('kb.saveError'));
      }
      return false;
    } finally {
      this.saving = false;
    }
  }

  askDelete(): void {
    if (this.selected) this.confirmingDelete = true;
  }

  cancelDelete(): void {
    if (!this.deleting) this.confirmingDelete = false;
  }

  async delete(): Promise<boolean> {
    const article = this.selected;
    if (!article || this.deleting) return false;
    this.deleting = true;
    try {
      await this.#api.request<void>('DELETE', path(article.id));
    } catch (err) {
      if (!(isApiError(err) && err.status === 404)) {
        this.#toasts.error(ta('kb.deleteError'), err);
        return false;
      }
    } finally {
      this.deleting = false;
    }
    this.confirmingDelete = false;
    this.items = this.items.filter((a) => a.id !== article.id);
    if (this.editing === article.id) this.#close();
    this.#toasts.success(`“${article.title}” was deleted.`);
    this.#changed();
    return true;
  }

  reset(): void {
    this.#generation++;
    this.items = [];
    this.status = 'idle';
    this.error = null;
    this.query = '';
    this.#close();
  }

  #open(id: string): void {
    const article = this.byId(id);
    if (!article) return;
    this.editing = id;
    this.draft = draftOf(article);
    this.#clearEditor();
  }

  #startNew(): void {
    this.editing = 'new';
    this.draft = blankDraft(this.usualLanguage);
    this.#clearEditor();
  }

  #close(): void {
    this.editing = null;
    this.draft = null;
    this.#clearEditor();
  }

  #clearEditor(): void {
    this.newQuestion = '';
    this.saveError = null;
    this.pending = null;
    this.confirmingDelete = false;
  }
}
