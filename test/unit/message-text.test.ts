import { describe, expect, it } from 'vitest';
import { openMessageTexts, openSubjects, snippetOf, subjectContext } from '../../server/domain/message-text.ts';
import { testDataKeys } from '../helpers/data-keys.ts';

describe('message text at rest (server/domain/message-text.ts)', () => {
  it('cuts a sealed row’s snippet around the first word of the query, whole words, the query’s words marked', () => {
    const before = 'Filler words before the point. '.repeat(10);
    const text = `${before}My kettle lid cracked on Monday. ${'More words after. '.repeat(10)}`;
    const parts = snippetOf(text, 'kettle cracked');
    const shown = parts.map((p) => p.text).join('');
    expect(shown).toContain('My kettle lid cracked on Monday.');
    expect(shown.length).toBeLessThan(200);
    expect(shown.startsWith(' ')).toBe(false);
    expect(parts.filter((p) => p.match).map((p) => p.text)).toEqual(['kettle', 'cracked']);
  });

  it('shows the start of the text when no word of the query occurs in it (a stemmed match)', () => {
    expect(
      snippetOf('Delivered yesterday, thanks.', 'deliveries')
        .map((p) => p.text)
        .join(''),
    ).toBe('Delivered yesterday, thanks.');
  });

  it('leaves plaintext rows as they are and opens sealed subjects in their own context', async () => {
    const keys = testDataKeys();
    const rows = [{ id: 'a', body: 'plain', html: null }];
    expect(await openMessageTexts(keys, rows)).toBe(rows);
    const contactId = '5b7e2a9c-0d7c-4a55-9c51-3f0f7d6b1a11';
    const conversationId = '9d2c7a51-1b3e-4f0a-8e6d-2c4b5a6f7e81';
    const [sealed] = await keys.encryptMany([
      { contactId, plaintext: 'Kettle lid', context: subjectContext(conversationId) },
    ]);
    expect(await openSubjects(keys, [{ id: conversationId, subject: sealed! }])).toEqual([
      { id: conversationId, subject: 'Kettle lid' },
    ]);
    await keys.shred(contactId);
    expect(await openSubjects(keys.reopen(), [{ id: conversationId, subject: sealed! }])).toEqual([
      { id: conversationId, subject: null, subjectUnreadable: true },
    ]);
  });
});
