import type { ApiClient } from '../api.ts';
import type { RedactableMessage } from '../privacy-types.ts';
import type { MessageResult } from '../types.ts';
import type { Toasts } from './toasts.svelte.ts';
import { tp } from '../lib/privacy-i18n.ts';

/** A span of one message the agent selected, as UTF-16 offsets into its body (end exclusive). */
export type RedactionSpan = { messageId: string; start: number; end: number; text: string };

/**
 * Redaction of a selected span: irreversible, so it goes selection -> confirmation -> server. The span is
 * checked against the message as the inbox holds it, so what the dialog shows is exactly what goes.
 */
export class Redactor {
  /** The selection the floating button offers to redact. */
  candidate = $state<RedactionSpan | null>(null);
  /** The span awaiting confirmation in the dialog. */
  pending = $state<RedactionSpan | null>(null);
  busy = $state(false);

  readonly #api: ApiClient;
  readonly #toasts: Toasts;
  readonly #message: (id: string) => RedactableMessage | undefined;
  readonly #updated: (message: RedactableMessage) => void;

  constructor(
    api: ApiClient,
    toasts: Toasts,
    message: (id: string) => RedactableMessage | undefined,
    updated: (message: RedactableMessage) => void,
  ) {
    this.#api = api;
    this.#toasts = toasts;
    this.#message = message;
    this.#updated = updated;
  }

  /** Offers a selection for redaction; ignored unless it matches the message body exactly. */
  select(span: RedactionSpan | null): void {
    if (span && !this.#valid(span)) span = null;
    const c = this.candidate;
    if (c && span && c.messageId === span.messageId && c.start === span.start && c.end === span.end) return;
    this.candidate = span;
  }

  ask(): void {
    if (this.candidate) this.pending = this.candidate;
  }

  cancel(): void {
    if (!this.busy) this.pending = null;
  }

  async confirm(): Promise<boolean> {
    const span = this.pending;
    if (!span || this.busy) return false;
    if (!this.#valid(span)) {
      this.pending = null;
      this.#toasts.push('error', tp('state.redactor.changedTitle'), tp('state.redactor.changedText'));
      return false;
    }
    this.busy = true;
    try {
      const { message } = await this.#api.post<MessageResult>(
        `/api/messages/${encodeURIComponent(span.messageId)}/redact`,
        { start: span.start, end: span.end },
      );
      this.#updated(message);
      this.pending = null;
      this.candidate = null;
      this.#toasts.success(tp('state.redactor.done', { count: span.end - span.start }));
      return true;
    } catch (err) {
      this.#toasts.error(tp('state.redactor.failed'), err);
      return false;
    } finally {
      this.busy = false;
    }
  }

  reset(): void {
    this.candidate = null;
    this.pending = null;
  }

  #valid(span: RedactionSpan): boolean {
    const message = this.#message(span.messageId);
    if (!message || message.kind === 'event') return false;
    return (
      span.start >= 0 &&
      span.start < span.end &&
      span.end <= message.body.length &&
      message.body.slice(span.start, span.end) === span.text
    );
  }
}
