import { describeError, type ApiClient } from '../api.ts';
import type { AgentResult, AgentView } from '../types.ts';
import type { Toasts } from './toasts.svelte.ts';
import type { Locale } from '../../../i18n/index.ts';
import { i18n, t } from '../lib/i18n.svelte.ts';

/** The signed-in agent's own profile: display name (customers see it), colour, language and password. */
export class Profile {
  saving = $state(false);
  passwordSaving = $state(false);

  readonly #api: ApiClient;
  readonly #toasts: Toasts;
  readonly #changed: (agent: AgentView) => void;

  constructor(api: ApiClient, toasts: Toasts, changed: (agent: AgentView) => void) {
    this.#api = api;
    this.#toasts = toasts;
    this.#changed = changed;
  }

  /** Answers the error text for the form, or null when saved. */
  async save(patch: { name?: string; color?: string | null }): Promise<string | null> {
    this.saving = true;
    try {
      const { agent } = await this.#api.patch<AgentResult>('/api/agents/me', patch);
      this.#changed(agent);
      this.#toasts.success(t('profile.saved'));
      return null;
    } catch (err) {
      return describeError(err);
    } finally {
      this.saving = false;
    }
  }

  /** The inbox's language for this agent (null: the browser's); the inbox switches once the server stored it. */
  async setLocale(locale: Locale | null): Promise<string | null> {
    this.saving = true;
    try {
      const { agent } = await this.#api.patch<AgentResult>('/api/agents/me', { locale });
      this.#changed(agent);
      await i18n.use(agent.locale);
      this.#toasts.success(t('profile.languageSaved'));
      return null;
    } catch (err) {
      return describeError(err);
    } finally {
      this.saving = false;
    }
  }

  async changePassword(currentPassword: string, newPassword: string): Promise<string | null> {
    this.passwordSaving = true;
    try {
      const { agent } = await this.#api.post<AgentResult>('/api/agents/me/password', { currentPassword, newPassword });
      this.#changed(agent);
      this.#toasts.success(t('profile.passwordChanged'));
      return null;
    } catch (err) {
      return describeError(err);
    } finally {
      this.passwordSaving = false;
    }
  }
}
