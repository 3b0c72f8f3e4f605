import { describeError, type ApiClient } from '../api.ts';
import type { WebhookDeliveryView, WebhookSubscriptionView } from '../../../../server/webhooks/subscriptions.ts';
import type { Toasts } from './toasts.svelte.ts';
import { tp } from '../lib/privacy-i18n.ts';
import type { WebhookEventType } from '../../../../server/webhooks/event-types.ts';

export type WebhookDraft = { name: string; url: string; events: WebhookEventType[]; includeContent: boolean };
const emptyDraft = (): WebhookDraft => ({
  name: '',
  url: 'https://',
  events: ['conversation.created', 'message.created', 'contact.erased'],
  includeContent: false,
});

/** Admins: outgoing webhook subscriptions (server/routes/webhooks.ts), their secret once, their last deliveries. */
export class WebhookSettings {
  items = $state<WebhookSubscriptionView[]>([]);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);
  draft = $state<WebhookDraft>(emptyDraft());
  creating = $state(false);
  createError = $state<string | null>(null);
  /** The secret of the subscription just created: shown once. */
  secret = $state<{ name: string; value: string } | null>(null);
  /** The subscription whose deliveries are open, and them. */
  openId = $state<string | null>(null);
  deliveries = $state<WebhookDeliveryView[]>([]);

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
    this.openId = null;
    this.deliveries = [];
    this.draft = emptyDraft();
  }

  async load(): Promise<void> {
    this.status = 'loading';
    try {
      this.items = (await this.#api.get<{ items: WebhookSubscriptionView[] }>('/api/webhooks')).items;
      this.status = 'ready';
    } catch (err) {
      this.error = describeError(err, tp('state.webhooks.load'));
      this.status = 'error';
    }
  }

  async create(): Promise<void> {
    if (this.draft.events.length === 0) {
      this.createError = tp('state.webhooks.noEvent');
      return;
    }
    this.creating = true;
    this.createError = null;
    try {
      const created = await this.#api.post<{ subscription: WebhookSubscriptionView; secret: string }>('/api/webhooks', {
        ...this.draft,
        name: this.draft.name.trim(),
        url: this.draft.url.trim(),
      });
      this.items = [created.subscription, ...this.items];
      this.secret = { name: created.subscription.name, value: created.secret };
      this.draft = emptyDraft();
    } catch (err) {
      this.createError = describeError(err, tp('state.webhooks.createFailed'));
    } finally {
      this.creating = false;
    }
  }

  async setPaused(id: string, paused: boolean): Promise<void> {
    try {
      const { subscription } = await this.#api.patch<{ subscription: WebhookSubscriptionView }>(`/api/webhooks/${id}`, {
        paused,
      });
      this.items = this.items.map((s) => (s.id === id ? subscription : s));
    } catch (err) {
      this.#toasts.error(paused ? tp('state.webhooks.pauseFailed') : tp('state.webhooks.resumeFailed'), err);
    }
  }

  async remove(id: string): Promise<boolean> {
    try {
      await this.#api.delete(`/api/webhooks/${id}`);
      this.items = this.items.filter((s) => s.id !== id);
      if (this.openId === id) this.openId = null;
      this.#toasts.success(tp('state.webhooks.deleted'));
      return true;
    } catch (err) {
      this.#toasts.error(tp('state.webhooks.deleteFailed'), err);
      return false;
    }
  }

  /** Opens (or closes) the last deliveries of a subscription. */
  async toggleDeliveries(id: string): Promise<void> {
    if (this.openId === id) {
      this.openId = null;
      return;
    }
    this.openId = id;
    this.deliveries = [];
    try {
      const { items } = await this.#api.get<{ items: WebhookDeliveryView[] }>(`/api/webhooks/${id}/deliveries`);
      if (this.openId === id) this.deliveries = items;
    } catch (err) {
      this.#toasts.error(tp('state.webhooks.deliveriesFailed'), err);
    }
  }
}
