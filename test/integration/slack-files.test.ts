import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { testDatabase, dbMode } from '../helpers/db.ts';
import { FakeSlack } from '../helpers/fake-slack.ts';
import type { Database } from '../../server/db/client.ts';
import { createLocalBlobStore, type BlobStore } from '../../server/blobs/store.ts';
import { attachments, inboxes, slackFiles } from '../../drizzle/schema/index.ts';
import { ingest } from '../../server/domain/ingest.ts';
import { DomainEventBus } from '../../server/domain/events.ts';
import { createInboxNameCache } from '../../server/domain/inbox-names.ts';
import { fetchDueFiles, fileRows } from '../../channels/slack/files.ts';
import { createOutbound, parseAllowHosts } from '../../server/http/outbound.ts';
import { testDataKeys } from '../helpers/data-keys.ts';

describe(`Slack file downloads on ${dbMode}`, () => {
  let database: Database;
  let slack: FakeSlack;
  let blobs: BlobStore;
  let blobDir: string;
  let inboxId: string;
  let n = 0;

  beforeAll(async () => {
    database = await testDatabase();
    slack = await FakeSlack.start();
    blobDir = mkdtempSync(join(tmpdir(), 'slack-files-'));
    blobs = createLocalBlobStore(blobDir);
    const [inbox] = await database.db.insert(inboxes).values({ name: 'Slack', channel: 'slack' }).returning();
    inboxId = inbox!.id;
  });
  afterAll(async () => {
    await database.close();
    await slack.close();
    rmSync(blobDir, { recursive: true, force: true });
  });

  const deps = () => ({
    db: database.db,
    blobs,
    outbound: createOutbound({ allowHosts: parseAllowHosts(new URL(slack.apiUrl).host) }),
    botToken: slack.botToken,
    apiUrl: slack.apiUrl,
  });
  const storedMessage = async () => {
    const ts = `1764579000.${String(++n).padStart(6, '0')}`;
    const result = await ingest(
      {
        db: database.db,
        events: new DomainEventBus(),
        inboxNames: createInboxNameCache(database.db),
        dataKeys: testDataKeys(),
      },
      {
        channel: 'slack',
        inboxId,
        sender: { kind: 'slack', address: 'T0TEAM0001:U0FILES001' },
        threadKey: `T0TEAM0001:C0SUPPORT1:${ts}`,
        externalId: `C0SUPPORT1:${ts}`,
        text: 'files',
        occurredAt: new Date(),
      },
    );
    return result.message.id;
  };

  it('stores each file once when several sweeps (servers) run at the same time', async () => {
    const messageId = await storedMessage();
    const files = ['F0CONC0001', 'F0CONC0002', 'F0CONC0003'].map((id, i) =>
      slack.addFile(id, `part-${i}.bin`, Buffer.alloc(20_000 + i, i), 'application/octet-stream'),
    );
    await database.db.insert(slackFiles).values(fileRows(messageId, files));
    const stored = await Promise.all([fetchDueFiles(deps()), fetchDueFiles(deps()), fetchDueFiles(deps())]);
    expect(stored.reduce((a, b) => a + b, 0)).toBe(3);
    const rows = await database.db.select().from(attachments).where(eq(attachments.messageId, messageId));
    expect(rows.map((r) => [r.filename, r.size]).sort()).toEqual([
      ['part-0.bin', 20_000],
      ['part-1.bin', 20_001],
      ['part-2.bin', 20_002],
    ]);
    expect(slack.downloads.filter((id) => id.startsWith('F0CONC')).sort()).toEqual([
      'F0CONC0001',
      'F0CONC0002',
      'F0CONC0003',
    ]);
    expect((await blobs.list()).sort()).toEqual(rows.map((r) => r.blobId).sort());
    // Queued again (a redelivered event), a stored file is not fetched a second time.
    await database.db.insert(slackFiles).values(fileRows(messageId, files)).onConflictDoNothing();
    expect(await fetchDueFiles(deps())).toBe(0);
  });

  it('backs off after a failed download and gives up after six tries, keeping the reason', async () => {
    const messageId = await storedMessage();
    const gone = slack.addFile('F0GONE0001', 'deleted.txt', Buffer.from('x'), 'text/plain');
    slack.files.delete('F0GONE0001');
    await database.db.insert(slackFiles).values(fileRows(messageId, [gone]));
    const row = async () =>
      (await database.db.select().from(slackFiles).where(eq(slackFiles.fileId, 'F0GONE0001')))[0]!;
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      const before = Date.now();
      expect(await fetchDueFiles(deps())).toBe(0);
      const after = await row();
      expect(after).toMatchObject({ attempts: attempt, storedAt: null, lastError: 'Error: download failed: HTTP 404' });
      if (after.nextAttemptAt) delays.push(Math.round((after.nextAttemptAt.getTime() - before) / 60_000));
      // Make it due now, as the clock would after the delay.
      if (after.nextAttemptAt)
        await database.db
          .update(slackFiles)
          .set({ nextAttemptAt: new Date(Date.now() - 1000) })
          .where(eq(slackFiles.fileId, 'F0GONE0001'));
    }
    expect(delays).toEqual([1, 4, 16, 64, 256]);
    expect((await row()).nextAttemptAt).toBeNull();
    expect(await database.db.select().from(attachments).where(eq(attachments.messageId, messageId))).toEqual([]);
  });
});
