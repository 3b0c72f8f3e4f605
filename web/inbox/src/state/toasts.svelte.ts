import { describeError, isApiError } from '../api.ts';

export type ToastKind = 'error' | 'success' | 'info';
export type Toast = { id: number; kind: ToastKind; title: string; detail: string | null };

/** Transient notices. Errors stay longer, and carry the request id so a report can be traced. */
export class Toasts {
  items = $state<Toast[]>([]);
  #nextId = 1;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- private timer handles, nothing renders them
  #timers = new Map<number, ReturnType<typeof setTimeout>>();

  push(kind: ToastKind, title: string, detail: string | null = null): number {
    const id = this.#nextId++;
    this.items = [...this.items.slice(-3), { id, kind, title, detail }];
    this.#timers.set(
      id,
      setTimeout(() => this.dismiss(id), kind === 'error' ? 8000 : 4000),
    );
    return id;
  }

  success(title: string): void {
    this.push('success', title);
  }

  /** `action` says what failed ("Could not send the reply"); the error says why. */
  error(action: string, err: unknown): void {
    const reason = describeError(err);
    const ref = isApiError(err) && err.requestId ? ` (ref ${err.requestId})` : '';
    this.push('error', action, reason + ref);
  }

  dismiss(id: number): void {
    const timer = this.#timers.get(id);
    if (timer) clearTimeout(timer);
    this.#timers.delete(id);
    this.items = this.items.filter((t) => t.id !== id);
  }
}
