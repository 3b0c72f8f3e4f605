import { pgTable, uuid, text, timestamp, integer, jsonb, index, uniqueIndex } from 'drizzle-orm/pg-core';
import { agents } from './agents.ts';

/**
 * The breach register (Art. 33(5)): every personal-data breach, notified or not, with its facts, effects and the
 * measures taken. Staff text about an incident: it names categories and numbers, never the people affected (the
 * affected-people finder counts them live, server/privacy/breach-finder.ts).
 */
export const breaches = pgTable(
  'breaches',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: text('title').notNull(),
    /** What happened (Art. 33(3)(a)). */
    description: text('description').notNull(),
    /** When the controller became aware: the 72 hours to the authority run from here (Art. 33(1)). */
    discoveredAt: timestamp('discovered_at', { withTimezone: true }).notNull(),
    occurredFrom: timestamp('occurred_from', { withTimezone: true }),
    occurredTo: timestamp('occurred_to', { withTimezone: true }),
    dataCategories: text('data_categories').array().notNull().default([]),
    subjectCategories: text('subject_categories').array().notNull().default([]),
    approxSubjects: integer('approx_subjects'),
    approxRecords: integer('approx_records'),
    consequences: text('consequences').notNull().default(''),
    measures: text('measures').notNull().default(''),
    authorityNotifiedAt: timestamp('authority_notified_at', { withTimezone: true }),
    /** Why the authority was not told, or told late (Art. 33(1): reasons for a delay; Art. 33(5)). */
    authorityNote: text('authority_note'),
    peopleNotifiedAt: timestamp('people_notified_at', { withTimezone: true }),
    /** Why the people were not told (Art. 34(3): unlikely high risk, encrypted data, public notice). */
    peopleNote: text('people_note'),
    recordedByAgentId: uuid('recorded_by_agent_id').references(() => agents.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('breaches_discovered').on(t.discoveredAt)],
);

/**
 * The data-protection impact assessment (Art. 35), one row per saved version: a draft is generated from the catalog
 * and the configuration, admins edit it, and each save is a new version; older ones stay readable.
 */
export type DpiaSection = { id: string; title: string; body: string };
export const dpiaVersions = pgTable(
  'dpia_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    version: integer('version').notNull(),
    sections: jsonb('sections').$type<DpiaSection[]>().notNull(),
    /** What changed in this version, in the editor's words. */
    note: text('note'),
    /** The language the text is written in (en, de, fr, fi, sv): the generated draft's, kept through edits. */
    language: text('language').notNull().default('en'),
    savedByAgentId: uuid('saved_by_agent_id').references(() => agents.id, { onDelete: 'set null' }),
    savedAt: timestamp('saved_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('dpia_versions_version').on(t.version)],
);
