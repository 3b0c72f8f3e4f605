export * from './enums.ts';
export * from './inboxes.ts';
export * from './contacts.ts';
export * from './agents.ts';
export * from './conversations.ts';
export * from './privacy.ts';
export * from './kb.ts';
