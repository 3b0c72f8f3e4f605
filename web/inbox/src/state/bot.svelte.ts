import { describeError, isApiError, type ApiClient } from '../api.ts';
import type { BotCurve, BotSettings, BotSettingsPatch, BotTryResult } from '../bot-types.ts';
import { ta } from '../lib/admin-i18n.ts';
import type { Toasts } from './toasts.svelte.ts';

/** `auto`: the threshold the KB's cross-validation recommends (the slider shows it). */
type SettingsDraft = { enabled: boolean; embedder: string; threshold: number; auto: boolean };

/** Two decimals, clamped to 0..1: the precision the threshold is shown and saved with. */
export function roundThreshold(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.min(1, Math.max(0, Math.round(value * 100) / 100));
}

const draftOf = (s: BotSettings): SettingsDraft => ({
  enabled: s.enabled,
  embedder: s.embedder,
  threshold: roundThreshold(s.threshold),
  auto: s.thresholdAuto,
});
const POLL_MS = 3_000;
export const TRY_MAX = 2_000;

/**
 * The first-line bot: its settings (admins) and a "try a question" box that asks the bot what it would do with
 * a question, without any conversation. While the page is open and the index is being (re)built, the status
 * is polled until it is ready.
 */
export class Bot {
  settings = $state<BotSettings | null>(null);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);
  draft = $state<SettingsDraft | null>(null);
  saving = $state(false);
  /** The KB's cross-validated precision/coverage per threshold (null until loaded or without an index). */
  curve = $state<BotCurve | null>(null);
  /** The curve at the slider's threshold. */
  expected = $derived.by(() => {
    const c = this.curve;
    const d = this.draft;
    if (!c || !d) return null;
    return c.points[Math.round(roundThreshold(d.threshold) * 100)] ?? null;
  });

  tryText = $state('');
  trying = $state(false);
  tryResult = $state<BotTryResult | null>(null);
  /** The question `tryResult` answers (the box may have changed since). */
  triedText = $state('');
  tryError = $state<string | null>(null);

  dirty = $derived.by(() => {
    const s = this.settings;
    const d = this.draft;
    if (!s || !d) return false;
    return (
      d.enabled !== s.enabled ||
      d.embedder !== s.embedder ||
      d.auto !== s.thresholdAuto ||
      (!d.auto && d.threshold !== roundThreshold(s.threshold))
    );
  });
  canTry = $derived(!this.trying && this.tryText.trim().length > 0 && this.tryText.length <= TRY_MAX);

  readonly #api: ApiClient;
  readonly #toasts: Toasts;
  #active = false;
  #pollTimer: ReturnType<typeof setTimeout> | null = null;
  #generation = 0;

  constructor(api: ApiClient, toasts: Toasts) {
    this.#api = api;
    this.#toasts = toasts;
  }

  /** The page showing the bot opened (`admin`: settings are shown) or closed. */
  setActive(active: boolean, admin: boolean): void {
    this.#active = active && admin;
    if (this.#active) void this.load();
    else this.#stopPolling();
  }

  async load(): Promise<void> {
    const generation = ++this.#generation;
    this.#stopPolling();
    if (this.status !== 'ready') this.status = 'loading';
    try {
      const settings = await this.#api.get<BotSettings>('/api/bot/settings');
      if (generation !== this.#generation) return;
      const rebuilt = settings.index.builtAt !== this.settings?.index.builtAt;
      this.#apply(settings);
      this.status = 'ready';
      this.error = null;
      if (rebuilt || !this.curve) await this.#loadCurve(generation);
    } catch (err) {
      if (generation !== this.#generation) return;
      if (this.status !== 'ready') this.status = 'error';
      this.error = describeError(err, ta('botErrors.load'));
    }
    this.#schedulePoll();
  }

  update(patch: Partial<SettingsDraft>): void {
    if (!this.draft) return;
    // Moving the slider is a choice of one's own threshold.
    Object.assign(
      this.draft,
      patch.threshold === undefined ? patch : { auto: false, ...patch, threshold: roundThreshold(patch.threshold) },
    );
  }

  /** Back to the threshold the KB's cross-validation recommends. */
  useRecommended(): void {
    if (!this.draft || !this.settings) return;
    this.draft.auto = true;
    const r = this.settings.recommendedThreshold;
    if (r !== null) this.draft.threshold = roundThreshold(r);
  }

  async #loadCurve(generation: number): Promise<void> {
    if (!this.settings?.ready) {
      this.curve = null;
      return;
    }
    try {
      const curve = await this.#api.get<BotCurve>('/api/bot/curve');
      if (generation === this.#generation) this.curve = curve;
    } catch {
      // The figures are an aid; the settings work without them.
      if (generation === this.#generation) this.curve = null;
    }
  }

  revert(): void {
    if (this.settings) this.draft = draftOf(this.settings);
  }

  async save(): Promise<boolean> {
    const s = this.settings;
    const d = this.draft;
    if (!s || !d || !this.dirty || this.saving) return false;
    const patch: BotSettingsPatch = {};
    if (d.enabled !== s.enabled) patch.enabled = d.enabled;
    if (d.embedder !== s.embedder) patch.embedder = d.embedder;
    if (d.auto && !s.thresholdAuto) patch.threshold = null;
    else if (!d.auto && (s.thresholdAuto || d.threshold !== roundThreshold(s.threshold))) patch.threshold = d.threshold;
    this.saving = true;
    this.#generation++;
    try {
      const settings = await this.#api.put<BotSettings>('/api/bot/settings', patch);
      this.settings = settings;
      this.draft = draftOf(settings);
      this.status = 'ready';
      this.#toasts.success(settings.enabled ? ta('botErrors.savedOn') : ta('botErrors.savedOff'));
      // A new embedder or threshold changes what the last try would do.
      if (this.tryResult && (patch.embedder !== undefined || patch.threshold !== undefined)) this.tryResult = null;
      this.#schedulePoll();
      return true;
    } catch (err) {
      this.#toasts.error(ta('botErrors.save'), err);
      return false;
    } finally {
      this.saving = false;
    }
  }

  /** The knowledge base changed: the index is rebuilt, so the status (and a shown try result) is stale. */
  knowledgeChanged(): void {
    if (this.tryResult) this.tryResult = null;
    if (this.#active) void this.load();
  }

  setTryText(text: string): void {
    this.tryText = text;
    this.tryError = null;
  }

  async tryQuestion(): Promise<void> {
    const text = this.tryText.trim();
    if (!this.canTry) return;
    this.trying = true;
    this.tryError = null;
    try {
      this.tryResult = await this.#api.post<BotTryResult>('/api/bot/try', { text });
      this.triedText = text;
    } catch (err) {
      this.tryError =
        isApiError(err) && err.code === 'bot_unavailable'
          ? ta('botErrors.unavailable')
          : describeError(err, ta('botErrors.answer'));
    } finally {
      this.trying = false;
    }
  }

  reset(): void {
    this.#generation++;
    this.#active = false;
    this.#stopPolling();
    this.settings = null;
    this.draft = null;
    this.curve = null;
    this.status = 'idle';
    this.error = null;
    this.tryText = '';
    this.tryResult = null;
    this.triedText = '';
    this.tryError = null;
  }

  #apply(settings: BotSettings): void {
    // Keep what the admin is changing; otherwise follow the server.
    const keep = this.dirty;
    this.settings = settings;
    if (!keep || !this.draft) this.draft = draftOf(settings);
  }

  #schedulePoll(): void {
    if (!this.#active || this.#pollTimer) return;
    // Poll while there is no index yet, or a new one is being built after a KB change.
    if (this.settings?.ready !== false && this.settings?.index.state !== 'building') return;
    this.#pollTimer = setTimeout(() => {
      this.#pollTimer = null;
      if (this.#active) void this.load();
    }, POLL_MS);
  }

  #stopPolling(): void {
    if (this.#pollTimer) clearTimeout(this.#pollTimer);
    this.#pollTimer = null;
  }
}
