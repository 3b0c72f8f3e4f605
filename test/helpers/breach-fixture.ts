import type { BreachFields } from '../../server/http/views/breaches.ts';

/**
 * A breach as an admin enters it into the register (POST /api/privacy/breaches): an agent's account used from an
 * unknown place, discovered 2026-03-30 02:00 UTC. Typed by the API's own schema, so a new required field fails
 * typecheck here once rather than in each test; `overrides` changes what a test is about.
 */
export function breachFixture(overrides: Partial<BreachFields> = {}): BreachFields {
  return {
    title: 'Agent account used from an unknown place',
    description: 'An agent’s password was used to read the chat inbox.',
    discoveredAt: '2026-03-30T02:00:00Z',
    occurredFrom: '2026-03-10T00:00:00Z',
    occurredTo: '2026-03-20T00:00:00Z',
    dataCategories: ['names', 'chat messages'],
    subjectCategories: ['customers'],
    approxSubjects: null,
    approxRecords: null,
    consequences: 'Someone may have read what you wrote to support.',
    measures: 'We locked the account and reset every password.',
    authorityNotifiedAt: null,
    authorityNote: null,
    peopleNotifiedAt: null,
    peopleNote: null,
    ...overrides,
  };
}
