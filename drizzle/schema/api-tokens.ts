import { pgTable, uuid, text, timestamp, index } from 'drizzle-orm/pg-core';
import { agents } from './agents.ts';

/**
 * API tokens for integrations (server/security/api-tokens.ts): created by an admin, shown once, stored as the
 * SHA-256 of the secret only. A token acts for the admin who created it, limited to its scopes.
 */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    scopes: text('scopes').array().notNull(),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (t) => [index('api_tokens_created_by').on(t.createdBy)],
);
