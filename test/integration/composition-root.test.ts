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

  it('takes recording providers and the Art. 30 contributions from the channel modules, for what is connected', () => {
    expect([...root.recordingProviders.keys()]).toEqual(['twilio']);
    // Inboxes of every kind, as the demo seeds them: nothing in this configuration connects them to a provider.
    const demo = (['chat', 'email', 'sms', 'voice', 'slack'] as const).map((channel) => ({
      id: `demo-${channel}`,
      name: `Demo ${channel}`,
      channel,
      settings: channel === 'sms' || channel === 'voice' ? { number: '+15550100000' } : { address: 'a@example.org' },
    }));
    const unconnected = root.art30(demo);
    expect(unconnected.processors).toEqual([]);
    expect(unconnected.activities).toEqual([]);
    expect(unconnected.inboxes).toEqual({
      'demo-chat': 'the website chat widget, served by this server',
      'demo-email': null,
      'demo-sms': null,
      'demo-voice': null,
      'demo-slack': null,
    });
    // An inbox with its own Twilio account and a mailbox with a server connect; the others stay unconnected.
    const connected = root.art30([
      ...demo,
      {
        id: 'own-voice',
        name: 'Hotline',
        channel: 'voice',
        settings: { phoneNumber: '+15550100001', accountSid: `AC${'1'.repeat(32)}`, authToken: 'sealed-token' },
      },
      { id: 'mailbox', name: 'Support', channel: 'email', settings: { imap: { host: 'imap.mail.example' } } },
    ]);
    expect(connected.processors.map((p) => [p.name, p.listedBecause])).toEqual([
      ['The mailbox provider of imap.mail.example (set EMAIL_PROCESSOR_NAME)', 'inbox "Support" has a mail server'],
      ['Twilio Inc.', 'inbox "Hotline" has its own Twilio account'],
    ]);
    expect(connected.activities).toEqual([
      expect.objectContaining({ name: 'Call recording', retentionClass: 'recordings', channels: ['voice'] }),
    ]);
    expect(connected.inboxes).toMatchObject({ 'own-voice': expect.stringContaining('Twilio'), 'demo-voice': null });
  });

  it('gates new chat conversations on the bot it built', () => {
    expect(root.chatOpenStatus()).toBe('open');
    expect(root.chatOpenStatus()).toBe(root.bot.openStatus());
  });
});
