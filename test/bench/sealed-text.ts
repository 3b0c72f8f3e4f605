/**
 * Readers of sealed message text (issue 22): what opening costs where an agent waits. The same data read plaintext,
 * then sealed in place (test/helpers/seal-text.ts) with every contact's key: the conversation view of a 50-message
 * conversation (loadMessageViews), a search whose 50 hits are conversations found by name (views with subjects and
 * previews opened), and the snippets of 50 hit messages (ts_headline for plaintext, JS for sealed). Keys warm (the
 * cache of unwrapped keys, as on a running server) and the first, cold read after a restart.
 *
 *   npx tsx test/bench/sealed-text.ts            # PGlite in memory
 *   DATABASE_URL=postgres://… npx tsx test/bench/sealed-text.ts
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { eq } from 'drizzle-orm';
import { testDatabase } from '../helpers/db.ts';
import { testDataKeys } from '../helpers/data-keys.ts';
import { sealConversations } from '../helpers/seal-text.ts';
import { inboxes, messages } from '../../drizzle/schema/index.ts';
import { ingest } from '../../server/domain/ingest.ts';
import { DomainEventBus } from '../../server/domain/events.ts';
import { createInboxNameCache } from '../../server/domain/inbox-names.ts';
import { loadMessageViews } from '../../server/domain/views.ts';
import { messageSnippets, searchConversations } from '../../server/domain/search.ts';
import type { DataKeys } from '../../server/security/data-keys.ts';

const RUNS = Number(process.env.RUNS ?? 60);
const HITS = 50;
const database = await testDatabase();
const db = database.db;
const dataKeys = testDataKeys();
const deps = { db, events: new DomainEventBus(), inboxNames: createInboxNameCache(db), dataKeys };
const [inbox] = await db.insert(inboxes).values({ name: 'Mail', channel: 'email' }).returning();
const words = 'order parcel kettle refund courier invoice address warranty delivery colour size return'.split(' ');
const sentence = (i: number) =>
  Array.from({ length: 40 }, (_, w) => words[(i * 7 + w * 3) % words.length]).join(' ') + ` (message ${i}).`;

/** 50 people named `Bench<tag> Person<n>`, each with a conversation; the first one 50 messages long. */
async function dataset(tag: string) {
  const conversationIds: string[] = [];
  for (let p = 0; p < HITS; p++) {
    const messageCount = p === 0 ? 50 : 3;
    for (let m = 0; m < messageCount; m++) {
      const result = await ingest(deps, {
        channel: 'email',
        inboxId: inbox!.id,
        sender: { kind: 'email', address: `${tag}-person${p}@example.org`, name: `Bench${tag} Person${p}` },
        threadKey: `<thread-${tag}-${p}@example.org>`,
        externalId: `<m-${tag}-${p}-${m}@example.org>`,
        subject: `Question ${p} about a kettle`,
        text: sentence(p * 100 + m),
        occurredAt: new Date(Date.now() - (HITS - p) * 60_000 + m),
      });
      if (m === 0) conversationIds.push(result.conversation.id);
    }
  }
  const hitMessages = (
    await Promise.all(
      conversationIds.map((id) =>
        db.select({ id: messages.id }).from(messages).where(eq(messages.conversationId, id)).limit(1),
      ),
    )
  ).map((r) => r[0]!.id);
  const search = (keys: DataKeys = dataKeys) =>
    searchConversations(db, keys, {
      text: `Bench${tag}`,
      filters: {},
      inboxIds: null,
      viewerAgentId: '00000000-0000-0000-0000-000000000000',
      limit: HITS,
    });
  const cases: Record<string, () => Promise<unknown>> = {
    'conversation view (50 messages)': () => loadMessageViews(db, dataKeys, conversationIds[0]!),
    'search, 50 hits by name (views)': () => search(),
    'snippets of 50 hit messages': () => messageSnippets(db, dataKeys, "'kettle'", 'kettle', hitMessages),
  };
  return { conversationIds, search, cases };
}

const plain = await dataset('plain');
const sealed = await dataset('sealed');
await sealConversations(db, dataKeys, sealed.conversationIds);
// Cold: the first reads after a restart, every contact's key unwrapped once from the key store.
let t = performance.now();
const coldHits = await sealed.search(dataKeys.reopen());
const coldSearch = performance.now() - t;
if (coldHits.length !== HITS || coldHits.some((h) => !h.conversation.subject?.startsWith('Question')))
  throw new Error('the sealed search did not answer 50 opened hits');
t = performance.now();
await loadMessageViews(db, dataKeys.reopen(), sealed.conversationIds[0]!);
const coldView = performance.now() - t;

// Plaintext and sealed alternate run by run, so both see the same load.
const percentiles = (times: number[]) => {
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
  return `p50 ${at(0.5).padStart(5)} ms, p95 ${at(0.95).padStart(5)} ms`;
};
const before = loadavg();
console.log(`${RUNS} runs each, ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`);
for (const name of Object.keys(plain.cases)) {
  const times = { plain: [] as number[], sealed: [] as number[] };
  for (let i = 0; i < 5; i++) await Promise.all([plain.cases[name]!(), sealed.cases[name]!()]);
  for (let i = 0; i < RUNS; i++) {
    for (const kind of ['plain', 'sealed'] as const) {
      const run = (kind === 'plain' ? plain : sealed).cases[name]!;
      const start = performance.now();
      await run();
      times[kind].push(performance.now() - start);
    }
  }
  console.log(`  ${name.padEnd(32)} plaintext ${percentiles(times.plain)} | sealed ${percentiles(times.sealed)}`);
}
console.log(
  `  sealed, cold keys (after a restart): search ${coldSearch.toFixed(1)} ms, view ${coldView.toFixed(1)} ms`,
);
const fmt = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
console.log(`load average before ${fmt(before)}, after ${fmt(loadavg())}`);
await database.close();
