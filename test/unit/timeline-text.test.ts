import { describe, expect, it } from 'vitest';
import { inboxTranslator, loadInboxLocale } from '../../web/i18n/inbox-catalog.ts';
import { timelineText } from '../../web/inbox/src/lib/timeline-text.ts';
import type { MessageView } from '../../server/http/views.ts';

/**
 * Timeline markers (issue 18): the server stores a code and arguments next to the English body, the inbox says
 * them in the agent's language with its plural and number rules; a row without a code keeps its English body.
 */
type Marker = Pick<MessageView, 'body' | 'event' | 'authorName'>;
const marker = (event: MessageView['event'], body = 'English body', authorName = 'Jana Kowalska'): Marker => ({
  body,
  event,
  authorName,
});

describe('timeline markers in the agent’s language', () => {
  it('says in English what the server wrote in the body', () => {
    const en = inboxTranslator('en');
    expect(timelineText(marker({ code: 'assigned', args: { agentId: 'a', agent: 'Jana' } }), en)).toBe(
      'Assigned to Jana',
    );
    expect(timelineText(marker({ code: 'status_changed', args: { from: 'open', to: 'pending' } }), en)).toBe(
      'Status changed from open to pending',
    );
    expect(timelineText(marker({ code: 'bot_disclosed', args: { language: 'de' } }), en)).toBe(
      'Shown to the customer: automated assistant notice (EU AI Act Art. 50), in de',
    );
    expect(timelineText(marker({ code: 'redacted', args: { characters: 12, quoting: 0 } }), en)).toBe(
      'Jana Kowalska redacted 12 characters of a message',
    );
  });

  it('speaks German to a German agent: names, statuses, team, decimal commas and plurals', async () => {
    await loadInboxLocale('de');
    const de = inboxTranslator('de');
    expect(timelineText(marker({ code: 'assigned', args: { agentId: 'a', agent: 'Jana Kowalska' } }), de)).toBe(
      'Zugewiesen an Jana Kowalska',
    );
    expect(timelineText(marker({ code: 'status_changed', args: { from: 'open', to: 'resolved' } }), de)).toBe(
      'Status von „Offen“ zu „Erledigt“ geändert',
    );
    expect(timelineText(marker({ code: 'team_assigned', args: { teamId: 't', team: 'Billing' } }), de)).toBe(
      'Dem Team Billing zugewiesen',
    );
    const lowConfidence = { reason: 'low_confidence', confidence: 0.2, threshold: 0.45 };
    expect(timelineText(marker({ code: 'handed_off', args: lowConfidence }), de)).toBe(
      'Übergabe an eine Person: Kein Artikel passte sicher genug (0,20 < 0,45)',
    );
    expect(timelineText(marker({ code: 'followup_mailed', args: { replies: 3 } }), de)).toBe(
      'Der Kunde hatte den Chat verlassen: 3 Antworten gingen an die hinterlassene E-Mail-Adresse',
    );
    expect(timelineText(marker({ code: 'redacted', args: { characters: 1, quoting: 2 } }), de)).toBe(
      'Jana Kowalska hat 1 Zeichen einer Nachricht geschwärzt (auch dort, wo 2 spätere Nachrichten sie zitieren)',
    );
  });

  it('follows Swedish and Finnish plural rules', async () => {
    await loadInboxLocale('sv');
    await loadInboxLocale('fi');
    const fi = inboxTranslator('fi');
    expect(timelineText(marker({ code: 'redacted', args: { characters: 1, quoting: 0 } }), fi)).toBe(
      'Jana Kowalska peitti viestistä 1 merkin',
    );
    expect(timelineText(marker({ code: 'redacted', args: { characters: 5, quoting: 0 } }), fi)).toBe(
      'Jana Kowalska peitti viestistä 5 merkkiä',
    );
    expect(timelineText(marker({ code: 'followup_mailed', args: { replies: 1 } }), inboxTranslator('sv'))).toBe(
      'Kunden hade lämnat chatten: svaret skickades till e-postadressen kunden lämnade',
    );
    expect(timelineText(marker({ code: 'unassigned', args: {} }), inboxTranslator('sv'))).toBe('Tilldelning borttagen');
  });

  it('keeps the English body of markers stored before they had codes, and of reasons it does not know', async () => {
    await loadInboxLocale('de');
    const de = inboxTranslator('de');
    expect(timelineText(marker(undefined, 'Assigned to Jana'), de)).toBe('Assigned to Jana');
    const unknown = marker({ code: 'handed_off', args: { reason: 'a_newer_reason' } }, 'Handed to a human: why');
    expect(timelineText(unknown, de)).toBe('Handed to a human: why');
  });
});
