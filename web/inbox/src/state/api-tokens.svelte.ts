import { describeError, type ApiClient } from '../api.ts';
import { ta } from '../lib/admin-i18n.ts';
import type { Toasts } from './toasts.svelte.ts';

/** What GET /api/tokens lists (server/routes/api-tokens.ts ApiTokenView): never the secret. */
export type ApiTokenView = {
  id: string;
  name: string;
  scopes: string[];
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
};

/** The scopes a token can hold (server/security/api-tokens.ts API_TOKEN_SCOPES), in the order the form shows. */
export const apiTokenScopes = [
  'conversations:read',
  'conversations:write',
  'messages:read',
  'messages:write',
  'contacts:read',
  'contacts:write',
  'privacy:read',
  'privacy:write',
  'analytics:read',
] as const;

export type ApiTokenDraft = { name: string; scopes: string[]; expiresInDays: string };
const emptyDraft = (): ApiTokenDraft => ({ name: '', scopes: ['conversations:read'], expiresInDays: '90' });

/** Admins: API tokens for integrations, the secret shown once after creation, revocation. */
export class ApiTokenSettings {
  items = $state<ApiTokenView[]>([]);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);
  draft = $state<ApiTokenDraft>(emptyDraft());
  creating = $state(false);
  createError = $state<string | null>(null);
  /** The secret of the token just created: shown once, never stored here after the dialog closes. */
  secret = $state<{ name: string; value: string } | null>(null);

  readonly #api: ApiClient;
  readonly #toasts: Toasts;

  constructor(api: ApiClient, toasts: Toasts) {
    this.#api = api;
    this.#toasts = toasts;
  }

  reset(): void {
    this.status = 'idle';
    this.items = [];
    this.secret = null;
    this.draft = emptyDraft();
  }

  async load(): Promise<void> {
    this.status = 'loading';
    try {
      this.items = (await this.#api.get<{ items: ApiTokenView[] }>('/api/tokens')).items;
      this.status = 'ready';
    } catch (err) {
      this.error = describeError(err, ta('tokens.loadError'));
      this.status = 'error';
    }
  }

  /** The draft's problem in the admin's language, or null when it can be sent. */
  validate(): string | null {
    if (!this.draft.name.trim()) return ta('tokens.nameRequired');
    if (this.draft.scopes.length === 0) return ta('tokens.chooseScope');
    const days = this.draft.expiresInDays.trim();
    if (days && !(/^\d+$/.test(days) && Number(days) >= 1 && Number(days) <= 3650)) return ta('tokens.expiryInvalid');
    return null;
  }

  async create(): Promise<void> {
    this.createError = this.validate();
    if (this.createError) return;
    this.creating = true;
    try {
      const days = this.draft.expiresInDays.trim();
      const created = await this.#api.post<{ token: ApiTokenView; secret: string }>('/api/tokens', {
        name: this.draft.name.trim(),
        scopes: this.draft.scopes,
        ...(days ? { expiresInDays: Number(days) } : {}),
      });
      this.items = [created.token, ...this.items];
      this.secret = { name: created.token.name, value: created.secret };
      this.draft = emptyDraft();
    } catch (err) {
      this.createError = describeError(err, ta('tokens.createError'));
    } finally {
      this.creating = false;
    }
  }

  async revoke(id: string): Promise<boolean> {
    try {
      const { token } = await this.#api.post<{ token: ApiTokenView }>(`/api/tokens/${id}/revoke`, {});
      this.items = this.items.map((t) => (t.id === id ? token : t));
      this.#toasts.success(ta('tokens.revokedToast'));
      return true;
    } catch (err) {
      this.#toasts.error(ta('tokens.revokeError'), err);
      return false;
    }
  }
}
