import { describe, expect, it } from 'vitest';
import { inboxTranslator, loadInboxLocale } from '../../web/i18n/inbox-catalog.ts';
import { deliveryReason, networkReason } from '../../web/inbox/src/lib/delivery-reason.ts';

/** Issue 18: why a reply or a webhook delivery failed is said in the agent's language; an unknown reason as stored. */
describe('delivery failures in the agent’s language', () => {
  it('words the stored reasons it knows, and shows any other as stored', async () => {
    await loadInboxLocale('de');
    const de = inboxTranslator('de');
    expect(deliveryReason('opted_out: the recipient texted STOP to this number; nothing was sent', de)).toBe(
      'Die Kundin oder der Kunde hat SMS von dieser Nummer abbestellt (STOP)',
    );
    expect(deliveryReason('Twilio error 21211 (HTTP 400)', de)).toBe('Twilio hat abgelehnt (Fehler 21211, HTTP 400)');
    expect(deliveryReason('Twilio error (HTTP 500)', de)).toBe('Twilio hat abgelehnt (HTTP 500)');
    expect(deliveryReason('Twilio unreachable (ECONNREFUSED)', de)).toBe(
      'Twilio war nicht erreichbar: Verbindung abgelehnt',
    );
    expect(deliveryReason('550 mailbox unavailable', de)).toBe('550 mailbox unavailable');
    await loadInboxLocale('fi');
    expect(networkReason('TimeoutError', inboxTranslator('fi'))).toBe('ei vastausta ajoissa');
    expect(networkReason('EWHATEVER', inboxTranslator('fi'))).toBe('EWHATEVER');
  });
});
