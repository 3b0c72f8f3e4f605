import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_EVENTS } from '../../server/webhooks/events.ts';
import { webhookEventLabelKey, webhookEvents } from '../../web/inbox/src/lib/webhook-events.ts';
import { LOCALES } from '../../web/i18n/index.ts';

const catalog = (locale: string): unknown =>
  JSON.parse(readFileSync(`${import.meta.dirname}/../../web/i18n/locales/${locale}/inbox-privacy.json`, 'utf8'));
const lookup = (tree: unknown, key: string): unknown =>
  key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], tree);

/** The admin's webhook form offers exactly the events the API accepts, each worded in every language. */
describe('webhook events in the inbox', () => {
  it('are the server’s list itself, not a copy that a new event could miss', () => {
    expect(webhookEvents).toBe(WEBHOOK_EVENTS);
  });

  it.each([...LOCALES])('each has a label in %s', (locale) => {
    const texts = catalog(locale);
    for (const event of WEBHOOK_EVENTS)
      expect(lookup(texts, webhookEventLabelKey(event)), event).toEqual(expect.any(String));
  });
});
