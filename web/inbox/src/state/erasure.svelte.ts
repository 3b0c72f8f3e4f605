import { describeError, isApiError, type ApiClient } from '../api.ts';
import type { ErasureReceipt, PrivacyContactView } from '../privacy-types.ts';
import { contactName } from '../lib/format.ts';
import { tp } from '../lib/privacy-i18n.ts';

export type ErasureTarget = { contactId: string; name: string; conversationIds: string[]; holds: number };
export type ErasureError = { legalHold: boolean; message: string };

/** The word an admin types to confirm an erasure, in the admin's language ("ERASE", "LÖSCHEN", …). */
export const eraseWord = () => tp('erase.word');

/**
 * Erasure (Art. 17), admins only: a confirmation step, the irreversible call, and the receipt. The state
 * lives at the app level because the contact's conversation disappears from under the panel that asked.
 */
export class Erasure {
  target = $state<ErasureTarget | null>(null);
  erasing = $state(false);
  error = $state<ErasureError | null>(null);
  receipt = $state<ErasureReceipt | null>(null);
  receiptName = $state('');

  readonly #api: ApiClient;
  readonly #erased: (contactId: string, conversationIds: string[]) => void;
  /** Conversations we erased ourselves: their 'conversation:removed' echo needs no notice. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- private bookkeeping, nothing renders it
  readonly #ownRemovals = new Set<string>();

  constructor(api: ApiClient, erased: (contactId: string, conversationIds: string[]) => void) {
    this.#api = api;
    this.#erased = erased;
  }

  ask(contact: PrivacyContactView): void {
    this.target = {
      contactId: contact.id,
      name: contactName(contact.name),
      conversationIds: contact.conversations.map((c) => c.id),
      holds: contact.legalHolds?.length ?? 0,
    };
    this.error = null;
  }

  cancel(): void {
    if (this.erasing) return;
    this.target = null;
    this.error = null;
  }

  async confirm(typed: string): Promise<boolean> {
    const target = this.target;
    if (!target || this.erasing || typed.trim() !== eraseWord()) return false;
    this.erasing = true;
    this.error = null;
    // The server's 'conversation:removed' events may overtake its answer.
    for (const id of target.conversationIds) this.#ownRemovals.add(id);
    try {
      const { receipt } = await this.#api.post<{ receipt: ErasureReceipt }>(
        `/api/contacts/${encodeURIComponent(target.contactId)}/erase`,
        { confirm: true },
      );
      this.receipt = receipt;
      this.receiptName = target.name;
      this.target = null;
      this.#erased(target.contactId, target.conversationIds);
      return true;
    } catch (err) {
      for (const id of target.conversationIds) this.#ownRemovals.delete(id);
      const legalHold = isApiError(err) && (err.code === 'legal_hold' || err.status === 409);
      this.error = {
        legalHold,
        // A hold is worded from its params (the action and the holds' reasons) in the agent's language.
        message: describeError(err, tp('state.erasure.failed')),
      };
      return false;
    } finally {
      this.erasing = false;
    }
  }

  /** True (once) when a removed conversation is one this agent just erased. */
  consumeOwnRemoval(conversationId: string): boolean {
    return this.#ownRemovals.delete(conversationId);
  }

  closeReceipt(): void {
    this.receipt = null;
  }

  reset(): void {
    this.target = null;
    this.error = null;
    this.receipt = null;
    this.erasing = false;
    this.#ownRemovals.clear();
  }
}
