import { describe, expect, it } from 'vitest';
import { mentionedAgentIds } from '../../server/domain/note-mentions.ts';
import { chooseVariant, fillVariables } from '../../server/domain/canned-replies.ts';

const agents = [
  { id: 'sam', name: 'Sam' },
  { id: 'sam-rivera', name: 'Sam Rivera' },
  { id: 'maya', name: 'Maya Chen' },
];

describe('@mentions in notes', () => {
  it('finds display names after "@", in any case, the longest name first', () => {
    expect(mentionedAgentIds('@sam rivera can you look?', agents)).toEqual(['sam-rivera']);
    expect(mentionedAgentIds('Ask @Sam and @MAYA CHEN.', agents).sort()).toEqual(['maya', 'sam']);
    expect(mentionedAgentIds('(@Maya Chen)', agents)).toEqual(['maya']);
  });

  it('ignores addresses, partial names and names without "@"', () => {
    expect(mentionedAgentIds('mail sam@example.com or Maya Chen', agents)).toEqual([]);
    expect(mentionedAgentIds('@Samantha please', agents)).toEqual([]);
  });
});

describe('canned reply variables and languages', () => {
  it('fills known values and leaves unknown ones visible, never invented', () => {
    expect(
      fillVariables('Hi {{contact.firstName}}, {{ agent.name }} here. {{order.id}}', { 'agent.name': 'Robin' }),
    ).toEqual({
      text: 'Hi {{contact.firstName}}, Robin here. {{order.id}}',
      unfilled: ['contact.firstName', 'order.id'],
    });
  });

  it('picks the agent’s choice, else the conversation’s language, else English, else any text', () => {
    expect(chooseVariant({ en: 'a', de: 'b' }, 'de', undefined)).toEqual({ language: 'de', source: 'conversation' });
    expect(chooseVariant({ en: 'a', de: 'b' }, 'de', 'en')).toEqual({ language: 'en', source: 'requested' });
    expect(chooseVariant({ en: 'a', de: 'b' }, 'sv', undefined)).toEqual({ language: 'en', source: 'fallback' });
    expect(chooseVariant({ fi: 'a' }, null, undefined)).toEqual({ language: 'fi', source: 'fallback' });
  });
});

describe('the composer’s "/" and "@" triggers', async () => {
  const { findTrigger, matchAgents, placeholdersIn } = await import('../../web/inbox/src/lib/composer-triggers.ts');

  it('opens canned replies at "/" starting a word, mentions at "@" in notes only', () => {
    expect(findTrigger('Hi /tha', 7, false)).toEqual({ kind: 'canned', query: 'tha', start: 3 });
    expect(findTrigger('and/or', 6, false)).toBeNull();
    expect(findTrigger('Ask @Sam Ri', 11, true)).toEqual({ kind: 'mention', query: 'Sam Ri', start: 4 });
    expect(findTrigger('Ask @Sam', 8, false)).toBeNull();
    expect(findTrigger('mail me@example.com', 19, true)).toBeNull();
  });

  it('matches colleagues by the start of their names, and finds unfilled placeholders', () => {
    const agents = [{ name: 'Sam Rivera' }, { name: 'Maya Chen' }];
    expect(matchAgents(agents, 'ch')).toEqual([{ name: 'Maya Chen' }]);
    expect(matchAgents(agents, 'sam ri')).toEqual([{ name: 'Sam Rivera' }]);
    expect(placeholdersIn('Hi {{contact.firstName}}, {{ order.id }} {{contact.firstName}}')).toEqual([
      'contact.firstName',
      'order.id',
    ]);
  });
});
