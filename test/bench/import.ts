/**
 * Import throughput on PostgreSQL: a generated Zendesk export (users, tickets, List Comments files; a third of
 * the comments by agents, some notes, a few with card numbers and Art. 9 terms) through `importFiles` (plan,
 * ingest of every customer message, agents' replies, original times, integrity check), into a fresh database.
 * Prints messages per second for the whole import (plan and integrity check included), then the re-run (all
 * replays). Asserts nothing.
 *
 *   npm run bench:import -- [--tickets 2000] [--comments 6] [--pool 8]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { loadConfig } from '../../server/config.ts';
import { openDatabase } from '../../server/db/client.ts';
import { createRoot } from '../../server/composition.ts';
import { importFiles } from '../../server/import/index.ts';
import { flags, freshDatabase, machineLine, prng } from './lib.ts';

const USAGE = `usage: npm run bench:import -- [options]
  --tickets N    tickets (conversations) in the export (default 2000)
  --comments N   comments per ticket (default 6)
  --pool P       database connections (default 8)`;
const opts = flags({ tickets: 2000, comments: 6, pool: 8 }, USAGE);

const WORDS = (
  'hello thanks order delivery invoice account reset login error page payment refund subscription plan ' +
  'upgrade cancel help please when where how why status tracking issue problem works again still cannot find'
).split(' ');

function exportFiles(dir: string) {
  const random = prng(23);
  const text = () =>
    Array.from({ length: 5 + Math.floor(random() * 25) }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
  const users = [{ id: 1, name: 'Agent', role: 'agent' }];
  const tickets = [];
  const comments: Record<number, unknown[]> = {};
  let commentId = 1;
  for (let t = 1; t <= opts.tickets; t++) {
    const userId = 1000 + t;
    users.push({ id: userId, name: `Customer ${t}`, email: `customer${t}@example.com`, role: 'end-user' } as never);
    tickets.push({
      id: t,
      subject: `Ticket ${t}`,
      status: t % 3 === 0 ? 'solved' : 'open',
      requester_id: userId,
      created_at: new Date(Date.UTC(2026, 0, 1) + t * 60_000).toISOString(),
      updated_at: new Date(Date.UTC(2026, 0, 2) + t * 60_000).toISOString(),
      priority: 'normal',
    });
    comments[t] = Array.from({ length: opts.comments }, (_, i) => {
      let body = text();
      if (random() < 0.02) body += ' card 4111 1111 1111 1111';
      if (random() < 0.02) body += ' I am pregnant';
      return {
        id: commentId++,
        author_id: i % 3 === 1 ? 1 : userId,
        body,
        public: !(i % 3 === 2 && random() < 0.3),
        created_at: new Date(Date.UTC(2026, 0, 1) + t * 60_000 + i * 1000).toISOString(),
        attachments: [],
      };
    });
  }
  const paths = [join(dir, 'users.json'), join(dir, 'tickets.json'), join(dir, 'comments.json')];
  writeFileSync(paths[0]!, JSON.stringify({ users }));
  writeFileSync(paths[1]!, JSON.stringify({ tickets }));
  // Many List Comments responses, one file per ticket in a real export; one file per ticket here too.
  paths.pop();
  for (const [t, list] of Object.entries(comments)) {
    const path = join(dir, `comments-${t}.json`);
    writeFileSync(path, JSON.stringify({ comments: list }));
    paths.push(path);
  }
  return paths;
}

const fresh = await freshDatabase('bench_import');
const dir = mkdtempSync(join(tmpdir(), 'bench-import-'));
const database = await openDatabase({ databaseUrl: fresh.url, poolSize: opts.pool });
try {
  const config = loadConfig({
    DATABASE_URL: fresh.url,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    PORT: '0',
    DATA_DIR: join(dir, 'data'),
    BOT_ENABLED: 'false',
  });
  const root = await createRoot(config, database, pino({ level: 'warn' }) as unknown as FastifyBaseLogger);
  const files = exportFiles(dir);
  const options = {
    inactiveSince: null,
    closedOlderThanYears: null,
    keepFields: [],
    redactOnImport: false,
    now: new Date(),
  };
  const request = { from: 'zendesk' as const, files, filesDir: null, inboxId: null, options, dryRun: false };
  console.log(`bench:import on PostgreSQL, pool ${opts.pool}; ${machineLine()}`);
  for (const label of ['first import', 're-run (nothing new)']) {
    const started = performance.now();
    const { plan, report } = await importFiles(root, request);
    const seconds = (performance.now() - started) / 1000;
    const n = plan.included.messages;
    console.log(
      `${label}: ${n.toLocaleString('en')} messages (${plan.included.conversations} conversations, ` +
        `${plan.included.agentMessages} agent replies, ${plan.included.notes} notes) in ${seconds.toFixed(2)} s: ` +
        `${Math.round(n / seconds).toLocaleString('en')} messages/s; written ${report!.written.messages}, ` +
        `already there ${report!.written.alreadyThere}, differences ${report!.differences.length}`,
    );
  }
} finally {
  await database.close();
  await fresh.drop();
  rmSync(dir, { recursive: true, force: true });
}
