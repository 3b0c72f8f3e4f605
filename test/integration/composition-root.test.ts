import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { channelKinds } from '../../drizzle/schema/enums.ts';
import { loadConfig } from '../../server/config.ts';
import { createRoot, type AppRoot } from '../../server/composition.ts';
import { testDatabase } from '../helpers/db.ts';

/** The composition root builds everything once, from the registry, and nothing is assigned to it afterwards. */
describe('the composition root', () => {
  let database: Awaited<ReturnType<typeof testDatabase>>;
  let root: AppRoot;
  const dataDir = mkdtempSync(join(tmpdir(), 'inbox-root-'));

  beforeAll(async () => {
    database = await testDatabase();
    const config = loadConfig({ SEED_DEMO: 'false', BOT_ENABLED: 'false', DATA_DIR: dataDir });
    root = await createRoot(config, database, pino({ level: 'silent' }));
  });
  afterAll(async () => {
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is frozen: a late assignment throws instead of changing what others already hold', () => {
    expect(Object.isFrozen(root)).toBe(true);
    expect(() => Object.assign(root, { chatOpenStatus: () => 'bot' })).toThrow(TypeError);
  });

  it('has an adapter entry for every channel kind, null for an unconfigured channel', () => {
    expect(Object.keys(root.adapters).sort()).toEqual([...channelKinds].sort());
    expect(root.adapters.slack).toBeNull();
    for (const kind of ['chat', 'email', 'sms', 'voice'] as const) expect(root.adapters[kind]?.kind).toBe(kind);
  });

  it('takes recording providers and the Art. 30 contributions from the channel modules', () => {
    expect([...root.recordingProviders.keys()]).toEqual(['twilio']);
    expect(root.art30.processors.map((p) => p.name).sort()).toEqual([
      'Slack Technologies, LLC',
      'The mailbox provider of the configured IMAP/SMTP account',
      'Twilio Inc.',
    ]);
    expect(root.art30.activities).toEqual([
      expect.objectContaining({ name: 'Call recording', retentionClass: 'recordings', channels: ['voice'] }),
    ]);
  });

  it('gates new chat conversations on the bot it built', () => {
    expect(root.chatOpenStatus()).toBe('open');
    expect(root.chatOpenStatus()).toBe(root.bot.openStatus());
  });
});
