import { describe, expect, it } from 'vitest';
import { inboxTranslator, loadInboxLocale } from '../../web/i18n/inbox-catalog.ts';
import type { Locale } from '../../web/i18n/index.ts';
import { markerText, type MarkerFormat } from '../../web/inbox/src/lib/marker-text.ts';
import { parseEmail } from '../../channels/email/parse.ts';
import { applyPiiPolicy } from '../../server/privacy/pii/apply.ts';
import { DEFAULT_PII_POLICY } from '../../server/privacy/pii/policy.ts';
import { textCleanedMarker } from '../../server/domain/storable-text.ts';
import type { MessageView } from '../../server/http/views.ts';
import type { InboundMessage } from '../../channels/types.ts';

type Marker = NonNullable<MessageView['markers']>[number];
const format = (locale: Locale): MarkerFormat => ({
  size: (bytes) => new Intl.NumberFormat(locale, { style: 'unit', unit: 'kilobyte' }).format(bytes / 1024),
  list: (items) => new Intl.ListFormat(locale, { type: 'unit' }).format(items),
});
const say = (locale: Locale, marker: Marker) => markerText(marker, inboxTranslator(locale), format(locale));

const mail = (headers: string[], body: string) => Buffer.from([...headers, '', body, ''].join('\r\n'));

/** Markers as the server really makes them: an email parse, the PII policy, the storable-text cleaner. */
async function realMarkers(): Promise<Marker[]> {
  const broken = await parseEmail(
    mail(
      [
        'From: Anna <anna@customer.example>',
        'Subject: Hi',
        'Message-ID: <m1@customer.example>',
        'Auto-Submitted: auto-replied',
        'Content-Type: multipart/mixed; boundary="b1"',
      ],
      'no parts here',
    ),
    { maxAttachmentBytes: 1024, maxTextChars: 5 },
  );
  const pii = applyPiiPolicy(
    {
      text: 'Card 4111 1111 1111 1111, refund to DE89 3704 0044 0532 0130 00, I have diabetes',
      metadata: {},
    } as unknown as InboundMessage,
    DEFAULT_PII_POLICY,
  );
  return [
    ...(broken.markers as Marker[]),
    ...((pii.metadata!.markers as Marker[]) ?? []),
    textCleanedMarker(['text', 'file name']) as Marker,
  ];
}

/**
 * Issue 18: a message marker's detail (email parse, PII policy, cleaned text, Slack files) is stored with a code and
 * arguments; the inbox words it in the agent's language, and an old marker with English words only keeps them.
 */
describe('message markers in the agent’s language', () => {
  it('says in English exactly what the server stored as the English detail', async () => {
    const markers = await realMarkers();
    expect(markers.map((m) => m.event?.code)).toEqual([
      'mime_boundary_missing',
      'text_shortened',
      'auto_reply',
      'pii_removed',
      'pii_may_contain',
      'characters_replaced',
    ]);
    for (const marker of markers) expect(say('en', marker)).toBe(marker.detail);
  });

  it('says every one of them in Finnish, German, French and Swedish, none left in English', async () => {
    const markers = await realMarkers();
    for (const locale of ['fi', 'de', 'fr', 'sv'] as const) {
      await loadInboxLocale(locale);
      for (const marker of markers)
        expect(say(locale, marker), `${locale} ${marker.event!.code}`).not.toBe(marker.detail);
    }
    const fi = markers.map((m) => say('fi', m));
    expect(fi).toContain('poistettu ennen tallennusta: maksukortin numero (1)');
    expect(fi).toContain(
      'voi sisältää: IBAN-tilinumero (1) ja erityiseen tietoryhmään liittyvä sana (9 artikla): terveys (1)',
    );
    expect(fi).toContain('teksti lyhennettiin 5 merkkiin; koko viesti on HTML-versiossa tai alkuperäisessä');
    expect(
      say('de', {
        kind: 'file_not_fetched',
        detail: 'x',
        event: { code: 'slack_download_failed', args: { name: 'a.pdf' } },
      }),
    ).toBe('a.pdf: konnte nicht von Slack heruntergeladen werden');
    expect(
      say('fi', {
        kind: 'attachment_too_large',
        detail: 'x',
        event: { code: 'attachment_over_limit', args: { name: 'kuva.png', size: 3072, limit: 2048 } },
      }),
    ).toBe('kuva.png (3 kt) ylittää 2 kt rajan, eikä sitä tallennettu');
  });

  it('keeps the English detail of a marker stored before codes, or of a code or kind it does not know', async () => {
    await loadInboxLocale('fi');
    const old: Marker = { kind: 'automated', detail: 'an automatic reply' };
    expect(say('fi', old)).toBe('an automatic reply');
    expect(say('fi', { ...old, event: { code: 'something_new', args: {} } })).toBe('an automatic reply');
    const pii: Marker = {
      kind: 'pii_flagged',
      detail: 'may contain: tax id (1)',
      event: { code: 'pii_may_contain', args: { tax_id: 1 } },
    };
    expect(say('fi', pii)).toBe('may contain: tax id (1)');
  });
});
