import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testDatabase } from './db.ts';
import { openDatabase } from '../../server/db/client.ts';
import { createLocalBlobStore } from '../../server/blobs/store.ts';
import { createEncryptedBlobStore } from '../../server/blobs/encrypted.ts';
import { blobOwners } from '../../server/blobs/owners.ts';
import { bindIdentityKeys } from '../../server/domain/identity-address.ts';
import { openBlindIndex } from '../../server/security/blind-index.ts';
import { createDataKeys } from '../../server/security/data-keys.ts';
import { createFileKeyStore, keyStorePath } from '../../server/security/key-store.ts';
import { DomainEventBus, type DomainEvents } from '../../server/domain/events.ts';
import { createInboxNameCache } from '../../server/domain/inbox-names.ts';
import type { RecordingProviders } from '../../server/privacy/recording-providers.ts';
import type { EraseDeps } from '../../server/privacy/erase.ts';
import type { RecordDeps } from '../../server/privacy/record.ts';
import type { IngestDeps } from '../../server/domain/ingest.ts';
import type { PrivacyCatalog } from '../../drizzle/catalog.ts';
import type { AgentRole } from '../../drizzle/schema/enums.ts';
import { createAgent } from '../../server/domain/agents.ts';
import { generateKey, staticKeyProvider } from '../../server/security/keys.ts';
import { createErasedSubjects, erasedSubjectsPath } from '../../server/privacy/erased-subjects.ts';

export type PrivacyTestDeps = EraseDeps & RecordDeps & IngestDeps;

/**
 * The privacy operations' declared dependencies over a real, migrated database (PGlite, or PostgreSQL
 * when DATABASE_URL is set) and a blob store in a temporary directory: no server, no HTTP. `published`
 * collects the domain events, so a test can see what was announced after commit.
 */
export async function privacyDeps(
  options: {
    catalog?: PrivacyCatalog;
    recordingProviders?: RecordingProviders;
    /** PGlite in DATA_DIR/pglite under `dir` rather than in memory (a test reads its files). */
    pgliteOnDisk?: boolean;
  } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'privacy-ops-'));
  const database =
    options.pgliteOnDisk && !process.env.DATABASE_URL
      ? await openDatabase({ pgliteDir: join(dir, 'pglite') })
      : await testDatabase();
  const events = new DomainEventBus();
  const keys = staticKeyProvider([generateKey()], 'test key');
  // Scrubs run when a test asks (scrub()), not in the background of every erasure.
  const { scrub, ...subjects } = createErasedSubjects(
    { db: database.db, keys, path: erasedSubjectsPath(dir), ...(options.catalog ? { catalog: options.catalog } : {}) },
    (err) => {
      throw err;
    },
  );
  const published: Array<{ name: keyof DomainEvents; event: unknown }> = [];
  for (const name of [
    'consent.changed',
    'contact.erased',
    'contact.rectified',
    'message.updated',
    'message.created',
  ] as const)
    events.subscribe(name, (event) => published.push({ name, event }));
  const dataKeys = createDataKeys(keys, createFileKeyStore(keyStorePath(dir)));
  // Identities are sealed with these keys too, so erasure shreds their addresses with the rest.
  bindIdentityKeys(database.db, { dataKeys, blindIndex: await openBlindIndex(dataKeys) });
  const deps: PrivacyTestDeps = {
    db: database.db,
    events,
    dataKeys,
    blobs: createEncryptedBlobStore(createLocalBlobStore(join(dir, 'blobs')), dataKeys, blobOwners(database.db)),
    inboxNames: createInboxNameCache(database.db),
    recordingProviders: options.recordingProviders ?? new Map(),
    config: {
      controllerName: 'Example Shop Ltd',
      controllerContact: 'privacy@example.org',
      privacyPolicyUrl: 'https://shop.example/privacy',
      hosting: { name: 'Example Hosting GmbH', country: 'Germany', transferBasis: 'none (EU)' },
      analyticsMinCohort: 5,
      databaseUrl: undefined,
      encryptionKey: undefined,
      trashRetainDays: 30,
    },
    art30: () => ({ processors: [], activities: [], inboxes: {} }),
    erasedSubjects: { ...subjects, scrubSoon: () => {} },
    ...(options.catalog ? { catalog: options.catalog } : {}),
  };
  let agents = 0;
  return {
    deps,
    published,
    dir,
    database,
    keys,
    scrub,
    /** A staff account to act as (rows that name their author or the policy's editor need a real one). */
    async agent(role: AgentRole = 'admin') {
      agents += 1;
      const email = `${role}${agents}@privacy.test`;
      return createAgent(
        database.db,
        { email, name: `${role} ${agents}`, role, password: 'a-long-test-password' },
        null,
      );
    },
    async close() {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
