import { describe, expect, it } from 'vitest';
import { detectHumanRequest } from '../../bot/human-request.ts';
import { type ConversationState, type Match, choose, decide, gate } from '../../bot/policy.ts';

const fresh: ConversationState = { status: 'bot', assigneeId: null, turns: [] };
const confident: Match = {
  candidates: [
    { articleId: 'refunds', score: 0.93 },
    { articleId: 'shipping', score: 0.04 },
  ],
};
const unsure: Match = {
  candidates: [
    { articleId: 'refunds', score: 0.41 },
    { articleId: 'shipping', score: 0.38 },
  ],
};
const config = { threshold: 0.7, maxUnresolvedTurns: 2 };

describe('answer policy', () => {
  it('answers with the best article when the calibrated confidence clears the threshold', () => {
    expect(decide(fresh, 'How do I get my money back?', confident, config)).toEqual({
      action: 'answer',
      articleId: 'refunds',
      confidence: 0.93,
      candidates: confident.candidates,
      reason: 'confident',
    });
  });

  it('hands off below the threshold, keeping the candidates for the agent', () => {
    expect(decide(fresh, 'my thing is weird', unsure, config)).toEqual({
      action: 'handoff',
      confidence: 0.41,
      candidates: unsure.candidates,
      reason: 'low_confidence',
    });
  });

  it('treats the threshold as inclusive and is per knowledge base', () => {
    expect(choose(unsure, { ...config, threshold: 0.41 }).action).toBe('answer');
    expect(choose(confident, { ...config, threshold: 0.95 }).action).toBe('handoff');
  });

  it('hands off when the knowledge base is empty or the message is blank', () => {
    expect(decide(fresh, 'hello?', { candidates: [] }, config)).toMatchObject({
      action: 'handoff',
      reason: 'empty_knowledge_base',
    });
    expect(decide(fresh, '   ', confident, config)).toMatchObject({ action: 'handoff', reason: 'empty_message' });
  });

  it.each([
    ['en', 'I want a human'],
    ['en', 'Can I talk to a real person please?'],
    ['en', 'connect me with an agent'],
    ['en', 'representative'],
    ['de', 'Ich möchte mit einem Menschen sprechen'],
    ['de', 'Bitte einen Mitarbeiter!'],
    ['fr', 'Je veux parler à un humain'],
    ['fr', "Je voudrais parler à quelqu'un, s'il vous plaît"],
    ['fi', 'Haluan puhua ihmisen kanssa'],
    ['fi', 'Voinko saada asiakaspalvelijan?'],
    ['sv', 'Jag vill prata med en människa'],
    ['sv', 'Kan jag få en riktig person?'],
  ])('hands off at once when the customer asks for a person (%s: %s)', (language, text) => {
    expect(detectHumanRequest(text)).toBe(language);
    // Even when the classifier is sure: the customer's wish wins.
    expect(decide(fresh, text, confident, config)).toMatchObject({
      action: 'handoff',
      reason: 'human_requested',
      language,
    });
  });

  it.each([
    'How do I update my personal details?',
    'Which person should the parcel be addressed to?',
    'Wie ändere ich meine Adresse?',
    'Où est ma commande ?',
    'Missä tilaukseni on?',
    'Var är mitt paket?',
    'Can I change my PIN?',
  ])('does not mistake an ordinary question for a request for a person: %s', (text) => {
    expect(detectHumanRequest(text)).toBeNull();
  });

  it('hands off after two answers that did not resolve the question', () => {
    const afterOne: ConversationState = {
      ...fresh,
      turns: [{ author: 'contact' }, { author: 'bot', botAction: 'answer' }],
    };
    expect(decide(afterOne, 'that did not help', confident, config).action).toBe('answer');
    const afterTwo: ConversationState = {
      ...fresh,
      turns: [...afterOne.turns, { author: 'contact' }, { author: 'bot', botAction: 'answer' }],
    };
    expect(decide(afterTwo, 'still not working', confident, config)).toMatchObject({
      action: 'handoff',
      reason: 'unresolved_turns',
    });
    expect(decide(afterOne, 'still not working', confident, { ...config, maxUnresolvedTurns: 1 }).reason).toBe(
      'unresolved_turns',
    );
  });

  it('never speaks once an agent has taken over the conversation', () => {
    const cases: ConversationState[] = [
      { status: 'open', assigneeId: null, turns: [] },
      { status: 'pending', assigneeId: null, turns: [] },
      { status: 'resolved', assigneeId: null, turns: [] },
      { status: 'bot', assigneeId: 'agent-1', turns: [] },
      { status: 'bot', assigneeId: null, turns: [{ author: 'contact' }, { author: 'agent' }] },
    ];
    for (const state of cases) {
      for (const text of ['How do I get my money back?', 'I want a human']) {
        expect(decide(state, text, confident, config)).toEqual({
          action: 'silent',
          confidence: null,
          candidates: [],
          reason: 'agent_active',
        });
      }
    }
  });

  it('stays silent after it handed off, until a person picks the conversation up', () => {
    const state: ConversationState = {
      ...fresh,
      turns: [{ author: 'contact' }, { author: 'bot', botAction: 'handoff' }],
    };
    expect(decide(state, 'hello? anyone?', confident, config)).toMatchObject({
      action: 'silent',
      reason: 'already_handed_off',
    });
  });

  it('is pure: the gate needs no match and the same input gives the same decision', () => {
    expect(gate(fresh, 'How do I get my money back?', config)).toBeNull();
    const state: ConversationState = { ...fresh, turns: [{ author: 'contact' }] };
    const snapshot = JSON.stringify(state);
    const a = decide(state, 'refund please', confident, config);
    const b = decide(state, 'refund please', confident, config);
    expect(a).toEqual(b);
    expect(JSON.stringify(state)).toBe(snapshot);
  });
});
