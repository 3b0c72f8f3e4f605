import { pgTable, uuid, text, timestamp, jsonb } from 'drizzle-orm/pg-core';
import { channelEnum } from './enums.ts';

export const inboxes = pgTable('inboxes', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  channel: channelEnum('channel').notNull(),
  /** Channel settings (greeting, addresses, provider ids). Secrets are never returned by the API. */
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Instance-wide settings shared by every server process (e.g. the token signing secret). */
export const instanceSettings = pgTable('instance_settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
