import { t } from '../lib/i18n.svelte.ts';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { describeError, type ApiClient } from '../api.ts';
import type { ContactPatch, PrivacyContactView } from '../privacy-types.ts';
import type { Toasts } from './toasts.svelte.ts';

export type ContactDraft = { name: string; email: string; phone: string };

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** The server's rule (server/domain/contacts.ts normalizePhone): a real number with its country code. */
function validPhone(value: string): boolean {
  const parsed = parsePhoneNumberFromString(value.replace(/^00(?=[1-9])/, '+'));
  return !!parsed && parsed.isValid();
}

/** Per-field problems with a draft, in words an agent can act on. Empty fields clear the value. */
export function draftProblems(draft: ContactDraft): Partial<Record<keyof ContactDraft, string>> {
  const problems: Partial<Record<keyof ContactDraft, string>> = {};
  if (draft.name.trim().length > 200) problems.name = t('contact.nameTooLong');
  if (draft.email.trim() && !EMAIL.test(draft.email.trim())) problems.email = t('contact.badEmail');
  if (draft.phone.trim() && !validPhone(draft.phone.trim())) problems.phone = t('contact.badPhone');
  return problems;
}

/**
 * Rectification (Art. 16): the edit form of the open contact. Only changed fields are sent, so the audit
 * entry names exactly what changed.
 */
export class ContactEditor {
  contactId = $state<string | null>(null);
  draft = $state<ContactDraft>({ name: '', email: '', phone: '' });
  saving = $state(false);
  error = $state<string | null>(null);

  editing = $derived(this.contactId !== null);
  problems = $derived(draftProblems(this.draft));

  readonly #api: ApiClient;
  readonly #toasts: Toasts;
  readonly #saved: (contact: PrivacyContactView) => void;
  #original: ContactDraft = { name: '', email: '', phone: '' };

  constructor(api: ApiClient, toasts: Toasts, saved: (contact: PrivacyContactView) => void) {
    this.#api = api;
    this.#toasts = toasts;
    this.#saved = saved;
  }

  isEditing(contactId: string): boolean {
    return this.contactId === contactId;
  }

  start(contact: PrivacyContactView): void {
    this.#original = { name: contact.name ?? '', email: contact.email ?? '', phone: contact.phone ?? '' };
    this.draft = { ...this.#original };
    this.contactId = contact.id;
    this.error = null;
  }

  cancel(): void {
    this.contactId = null;
    this.error = null;
  }

  /** The fields that differ from what the contact had; empty strings become null (unknown). */
  patch(): ContactPatch {
    const patch: ContactPatch = {};
    for (const key of ['name', 'email', 'phone'] as const) {
      const value = this.draft[key].trim();
      if (value !== this.#original[key].trim()) patch[key] = value === '' ? null : value;
    }
    return patch;
  }

  async save(): Promise<boolean> {
    const id = this.contactId;
    if (!id || this.saving) return false;
    if (Object.keys(this.problems).length > 0) return false;
    const patch = this.patch();
    if (Object.keys(patch).length === 0) {
      this.cancel();
      return true;
    }
    this.saving = true;
    this.error = null;
    try {
      const body = await this.#api.patch<PrivacyContactView | { contact: PrivacyContactView }>(
        `/api/contacts/${encodeURIComponent(id)}`,
        patch,
      );
      // The contract answers the ContactView itself; accept a { contact } envelope as well.
      this.#saved('contact' in body ? body.contact : body);
      if (this.contactId === id) this.contactId = null;
      this.#toasts.success(t('contact.updated'));
      return true;
    } catch (err) {
      this.error = describeError(err, t('contact.saveFailed'));
      return false;
    } finally {
      this.saving = false;
    }
  }
}
