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
