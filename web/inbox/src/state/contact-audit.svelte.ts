import { describeError, type ApiClient } from '../api.ts';
import type { ContactAuditView } from '../request-types.ts';
import { tp } from '../lib/privacy-i18n.ts';

/** "Who touched this person's data" (admins): the audit entries about one contact, loaded when opened. */
export class ContactAudit {
  contactId = $state<string | null>(null);
  items = $state<ContactAuditView['items']>([]);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);

  readonly #api: ApiClient;

  constructor(api: ApiClient) {
    this.#api = api;
  }

  async load(contactId: string): Promise<void> {
    this.contactId = contactId;
    this.status = 'loading';
    try {
      const { items } = await this.#api.get<ContactAuditView>(
        `/api/privacy/contacts/${encodeURIComponent(contactId)}/audit`,
      );
      if (this.contactId !== contactId) return; // another contact was opened meanwhile
      this.items = items;
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      if (this.contactId !== contactId) return;
      this.status = 'error';
      this.error = describeError(err, tp('state.contactAudit.load'));
    }
  }
}
