import { t } from '../lib/i18n.svelte.ts';
import type { ApiClient } from '../api.ts';
import type { Toasts } from './toasts.svelte.ts';

export type NotificationPrefs = {
  browser: boolean;
  sound: boolean;
  assigned: boolean;
  mentions: boolean;
  myMessages: boolean;
};
export type NotificationKind = 'assigned' | 'mentions' | 'myMessages';
export type BrowserPermission = NotificationPermission | 'unsupported';

const defaults: NotificationPrefs = { browser: false, sound: false, assigned: true, mentions: true, myMessages: true };

/** What the agent is told, and how: an in-app notice always, a browser notification and a sound when chosen. */
export class Notifications {
  prefs = $state<NotificationPrefs>({ ...defaults });
  permission = $state<BrowserPermission>('unsupported');
  /** Notifications shown since the page loaded (newest first; the e2e tests and the profile page read it). */
  recent = $state<Array<{ kind: NotificationKind; title: string; at: number }>>([]);

  readonly #api: ApiClient;
  readonly #toasts: Toasts;
  readonly #open: (conversationId: string) => void;
  #audio: AudioContext | null = null;

  constructor(api: ApiClient, toasts: Toasts, open: (conversationId: string) => void) {
    this.#api = api;
    this.#toasts = toasts;
    this.#open = open;
  }

  async load(): Promise<void> {
    this.permission = typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
    try {
      this.prefs = await this.#api.get<NotificationPrefs>('/api/agents/me/notifications');
    } catch {
      // Defaults until the next sign-in: nothing is lost but the agent's choices for this page.
    }
  }

  async set(patch: Partial<NotificationPrefs>): Promise<void> {
    const before = this.prefs;
    this.prefs = { ...this.prefs, ...patch };
    try {
      this.prefs = await this.#api.put<NotificationPrefs>('/api/agents/me/notifications', patch);
    } catch (err) {
      this.prefs = before;
      this.#toasts.error(t('toast.notifyFailed'), err);
    }
  }

  /** Asked only from the settings control (a user gesture), never on load. */
  async enableBrowser(): Promise<void> {
    if (typeof Notification === 'undefined') return;
    const answer =
      Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
    this.permission = answer;
    await this.set({ browser: answer === 'granted' });
  }

  /**
   * Tells the agent. `visible`: the page is showing what the notification is about, so only the in-app notice
   * (no system notification, no sound).
   */
  notify(kind: NotificationKind, title: string, detail: string, conversationId: string, visible: boolean): void {
    if (!this.prefs[kind]) return;
    this.recent = [{ kind, title, at: Date.now() }, ...this.recent.slice(0, 19)];
    this.#toasts.push('info', title, detail);
    if (visible) return;
    if (this.prefs.sound) this.#beep();
    if (this.prefs.browser && this.permission === 'granted' && typeof Notification !== 'undefined') {
      const shown = new Notification(title, { body: detail, tag: `${kind}:${conversationId}` });
      shown.onclick = () => {
        window.focus();
        this.#open(conversationId);
        shown.close();
      };
    }
  }

  /** A short two-tone chime, synthesised (no audio file to load). */
  #beep(): void {
    try {
      this.#audio ??= new AudioContext();
      const ctx = this.#audio;
      const gain = ctx.createGain();
      gain.gain.setValueAtTime(0.0001, ctx.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.12, ctx.currentTime + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.35);
      gain.connect(ctx.destination);
      [880, 1320].forEach((frequency, i) => {
        const osc = ctx.createOscillator();
        osc.frequency.value = frequency;
        osc.connect(gain);
        osc.start(ctx.currentTime + i * 0.12);
        osc.stop(ctx.currentTime + 0.12 + i * 0.12);
      });
    } catch {
      // No audio output (or blocked before any interaction): the other notices still show.
    }
  }

  reset(): void {
    this.prefs = { ...defaults };
    this.recent = [];
  }
}
