import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { loadConfig } from '../../server/config.ts';
import { startServer } from '../../server/server.ts';
import { createVisitorTokens } from '../../server/security/tokens.ts';
import { KeyError, staticKeyProvider } from '../../server/security/keys.ts';
import { secretKeyIds } from '../../server/security/stored-secrets.ts';
import { secretSettingsOf } from '../../channels/registry.ts';
import { isSealed } from '../../server/security/secret-box.ts';
import { EMAIL_SECRET_PATHS } from '../../channels/email/settings.ts';
import { TWILIO_SECRET_PATHS } from '../../channels/twilio/accounts.ts';
import { inboxes, instanceSettings } from '../../drizzle/schema/index.ts';
import { dbMode, testDatabase } from '../helpers/db.ts';

const run = promisify(execFile);

/**
 * A database from before encryption at rest: its secrets are sealed at the first start, and keep working (a
 * visitor token issued before still verifies). A server given another key than the installation's refuses to
 * start, naming what to do, instead of failing on every secret later.
 */
describe(`secrets from an older database on ${dbMode}`, () => {
  let database: Awaited<ReturnType<typeof testDatabase>>;
  const dirs: string[] = [];
  const key = randomBytes(32).toString('base64');
  let otherKey = '';
  const env = (extra: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-migration-'));
    dirs.push(dir);
    return loadConfig({ DATA_DIR: dir, SEED_DEMO: 'false', BOT_ENABLED: 'false', LOG_LEVEL: 'silent', ...extra });
  };

  beforeAll(async () => {
    database = await testDatabase();
  });
  afterAll(async () => {
    await database?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('seals plain-text secrets at start, and they keep working', async () => {
    const legacySecret = 'a-visitor-token-secret-from-before-encryption';
    await database.db.insert(instanceSettings).values({ key: 'visitor_token_secret', value: legacySecret });
    const [email] = await database.db
      .insert(inboxes)
      .values({
        name: 'Old mail',
        channel: 'email',
        settings: {
          address: 'support@old.example',
          imap: { host: 'imap.old.example', user: 'u', password: 'old-imap-password' },
          smtp: { host: 'smtp.old.example', user: 'u', password: 'old-smtp-password' },
        },
      })
      .returning();
    const [sms] = await database.db
      .insert(inboxes)
      .values({
        name: 'Old SMS',
        channel: 'sms',
        settings: { phoneNumber: '+15550100123', authToken: 'old-twilio-token-1234' },
      })
      .returning();
    const claimsBefore = { visitorId: randomUUID(), contactId: randomUUID(), inboxId: randomUUID() };
    const issuedBefore = createVisitorTokens(legacySecret).issue(claimsBefore);

    const server = await startServer(env({ ENCRYPTION_KEY: key }), { database, listen: false });
    try {
      const [secret] = await database.db
        .select()
        .from(instanceSettings)
        .where(eq(instanceSettings.key, 'visitor_token_secret'));
      expect(isSealed(secret!.value)).toBe(true);
      expect(secret!.value).not.toContain(legacySecret);
      expect(server.root.visitorTokens.verify(issuedBefore)).toMatchObject(claimsBefore);

      const [emailRow] = await database.db.select().from(inboxes).where(eq(inboxes.id, email!.id));
      const [smsRow] = await database.db.select().from(inboxes).where(eq(inboxes.id, sms!.id));
      const stored = JSON.stringify([emailRow!.settings, smsRow!.settings]);
      for (const plain of ['old-imap-password', 'old-smtp-password', 'old-twilio-token-1234'])
        expect(stored).not.toContain(plain);
      expect(server.root.secrets.open(email!.id, emailRow!.settings, EMAIL_SECRET_PATHS)).toMatchObject({
        imap: { password: 'old-imap-password' },
        smtp: { password: 'old-smtp-password' },
      });
      expect(server.root.secrets.open(sms!.id, smsRow!.settings, TWILIO_SECRET_PATHS)).toMatchObject({
        authToken: 'old-twilio-token-1234',
      });
    } finally {
      await server.close();
    }
  });

  it("refuses to start with another key than the installation's, or without its key file", async () => {
    const other = randomBytes(32).toString('base64');
    await expect(startServer(env({ ENCRYPTION_KEY: other }), { database, listen: false })).rejects.toThrow(
      /every server of an installation needs the same key/,
    );
    // No ENCRYPTION_KEY and an empty DATA_DIR (a second machine): it does not generate a key of its own.
    await expect(startServer(env({}), { database, listen: false })).rejects.toThrow(KeyError);
    await expect(startServer(env({}), { database, listen: false })).rejects.toThrow(/copy master.key/);
    // The previous key as a decrypt-only key is enough to start (the first step of a rotation).
    const server = await startServer(env({ ENCRYPTION_KEY: other, ENCRYPTION_DECRYPT_KEYS: key }), {
      database,
      listen: false,
    });
    await server.close();
    otherKey = other;
  });

  it('npm run keys:rotate re-encrypts under ENCRYPTION_KEY and says when the old key can go', async () => {
    // The command opens the configured database itself: PostgreSQL, or a PGlite directory (this in-memory one is
    // out of its reach, so on PGlite it rotates a fresh installation's key file).
    const dir = mkdtempSync(join(tmpdir(), 'secrets-rotate-cli-'));
    dirs.push(dir);
    const envOf = database.url
      ? { DATABASE_URL: database.url, ENCRYPTION_KEY: otherKey, ENCRYPTION_DECRYPT_KEYS: key }
      : { DATABASE_URL: '' };
    const { stdout } = await run('npx', ['tsx', 'server/keys-rotate-cli.ts'], {
      env: { ...process.env, ...envOf, DATA_DIR: dir, LOG_LEVEL: 'silent' },
    });
    expect(stdout).toMatch(/Re-encrypted \d+ secrets under key [\w-]{16}/);
    expect(stdout).not.toContain(otherKey);
    if (database.url) {
      const resealed = Number(/Re-encrypted (\d+)/.exec(stdout)![1]);
      expect(resealed).toBe(4); // the visitor-token secret, two mail passwords, the Twilio token
      expect(stdout).toContain('remove the old key from ENCRYPTION_DECRYPT_KEYS');
      const ids = await secretKeyIds(database.db, secretSettingsOf());
      expect([...ids]).toEqual([staticKeyProvider([Buffer.from(otherKey, 'base64')], 'x').current().id]);
    } else {
      expect(stdout).toContain('The old keys were removed from the key file');
      expect(statSync(join(dir, 'master.key')).mode & 0o777).toBe(0o600);
    }
  }, 120_000); // a child process (tsx compiles the CLI): slow on a busy machine
});
