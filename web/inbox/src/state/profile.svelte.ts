import { describeError, type ApiClient } from '../api.ts';
import type { AgentResult, AgentView } from '../types.ts';
import type { Toasts } from './toasts.svelte.ts';

/** The signed-in agent's own profile: display name (customers see it), colour and password. */
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
      this.#toasts.success('Profile saved');
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
      this.#toasts.success('Password changed. Your other sessions were signed out.');
      return null;
    } catch (err) {
      return describeError(err);
    } finally {
      this.passwordSaving = false;
    }
  }
}
