import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/client.ts';
import type { ConversationView } from '../http/views.ts';
import type { InboxIds } from './scope.ts';
import { loadConversationViews } from './views.ts';
import {
  HEADLINE_START,
  HEADLINE_STOP,
  headlineParts,
  highlightValue,
  parseSearchText,
  type MatchedIn,
  type ParsedQuery,
  type SnippetPart,
} from './search-query.ts';

/**
 * The search box: conversations found by message text, subject, contact name, email, phone and id, through the
 * indexes of migrations 0015 and 0021 only (each arm below names exactly an indexed expression, or PostgreSQL
 * would read every row).
 *
 * Message text is matched against messages.search_vector (migrations 0021/0022), a stored tsvector with every word
 * of body + HTML unstemmed ('simple') and, where the message's language is known, stemmed in that language. The
 * query is the typed text in 'simple' OR'd with it stemmed in every configuration we index, since the agent's words
 * carry no language: "refund" then finds "refunds" in English and "Rückerstattungen" for "Rückerstattung", and a
 * name, an address or a code is found by its exact spelling in any message. An expression index of the 'simple'
 * words could serve exact words alone, but every row PostgreSQL checks itself (phrase rechecks, the newest-first
 * walk for common words) would compute to_tsvector again, 50-200 µs a row. Erasure reads this vector too.
 *
 * Redacted and erased text cannot be found: redaction rewrites the body and the HTML copy and erasure deletes or
 * rewrites the rows, and the indexes are over those columns, so nothing of the old text is left to match.
 * Snippets are computed from the current text too (ts_headline), as parts the client renders as text.
 */
export const SEARCH_CONFIGS = ['english', 'german', 'french', 'finnish', 'swedish'] as const;

export type SearchFilters = {
  status?: ConversationView['status'];
  channel?: ConversationView['channel'];
  inboxId?: string;
  assignee?: 'me' | 'unassigned' | string;
  /** Last activity on or after this day (UTC), and on or before `to` (a whole day). */
  from?: string;
  to?: string;
};

export type SearchRequest = {
  text: string;
  filters: SearchFilters;
  /** The agent's visible inboxes (server/domain/scope.ts): null = every inbox. */
  inboxIds: InboxIds;
  viewerAgentId: string;
  limit: number;
};

export type SearchHit = {
  conversation: ConversationView;
  matchedIn: MatchedIn;
  messageId: string | null;
  snippet: SnippetPart[];
};

const rankOf: Record<MatchedIn, number> = {
  id: 0,
  name: 1,
  phone: 2,
  email: 2,
  address: 3,
  subject: 4,
  message: 5,
};

function filterConditions(f: SearchFilters, inboxIds: InboxIds, viewerAgentId: string): SQL {
  const where: SQL[] = [sql`true`];
  if (inboxIds !== null)
    where.push(
      inboxIds.length
        ? sql`c.inbox_id in (${sql.join(
            inboxIds.map((id) => sql`${id}::uuid`),
            sql`, `,
          )})`
        : sql`false`,
    );
  if (f.status) where.push(sql`c.status = ${f.status}`);
  if (f.channel) where.push(sql`c.channel = ${f.channel}`);
  if (f.inboxId) where.push(sql`c.inbox_id = ${f.inboxId}::uuid`);
  if (f.assignee === 'unassigned') where.push(sql`c.assignee_id is null`);
  else if (f.assignee === 'me') where.push(sql`c.assignee_id = ${viewerAgentId}::uuid`);
  else if (f.assignee) where.push(sql`c.assignee_id = ${f.assignee}::uuid`);
  if (f.from) where.push(sql`c.last_message_at >= ${f.from}::date::timestamp at time zone 'UTC'`);
  if (f.to) where.push(sql`c.last_message_at < (${f.to}::date + 1)::timestamp at time zone 'UTC'`);
  return sql.join(where, sql` and `);
}

/**
 * The typed text as one tsquery: in 'simple' and stemmed in every configuration we index, OR'd, with the
 * alternatives that come out the same (most words in most languages) given once: PostgreSQL does not simplify
 * `'refund' | 'refund' | ...`, and every duplicate made each row it checks slower (39 ms against 0.7 ms for a walk
 * over 250 rows). Null when the text has no word to search for (only stop words, only punctuation).
 */
async function textQuery(db: Db, words: string): Promise<string | null> {
  if (!/[\p{L}\p{N}]/u.test(words)) return null;
  const configs = ['simple', ...SEARCH_CONFIGS];
  const rows = rowsOf<{ q: string }>(
    await db.execute(sql`select distinct websearch_to_tsquery(cfg::regconfig, ${words})::text as q
      from unnest(array[${sql.join(
        configs.map((c) => sql`${c}`),
        sql`, `,
      )}]::text[]) as cfg`),
  );
  const alternatives = rows.map((r) => r.q).filter((q) => q.trim() !== '');
  return alternatives.length ? alternatives.map((q) => `(${q})`).join(' | ') : null;
}

/**
 * Messages that match, newest first, with their conversation (the page takes the newest per conversation). Ordered
 * by the message's time so that PostgreSQL chooses per query from its statistics of the word index: for a rare
 * word, the GIN index gives the few matching messages, which are sorted; for a word in a large share of the
 * messages, it walks messages_created backwards and stops after `limit` matches, instead of sorting them all.
 * (Written from the conversations' side, with EXISTS, the estimates were far worse: a word found nowhere walked
 * every conversation.) Several matches in one conversation use up the limit, hence ten messages per page entry.
 */
function messageArm(match: SQL, where: SQL, limit: number): SQL {
  return sql`select m.conversation_id, 'message', m.id, null::text, c.last_message_at from messages m
    join conversations c on c.id = m.conversation_id
    where ${match} and m.kind <> 'event' and ${where}
    order by m.created_at desc limit ${limit * 10}`;
}

/** Every arm returns (conversation, rank, message or field value, time); filters and scope are in each arm. */
function arms(q: ParsedQuery, tsquery: string | null, where: SQL, limit: number): SQL[] {
  // Each arm's hits share one rank and are newest first, so each arm's first `limit` are all the page can use.
  const ARM_LIMIT = limit;
  const list: SQL[] = [];
  const arm = (body: SQL) => list.push(sql`(${body})`);
  if (q.id)
    arm(sql`select c.id, 'id', null::uuid, c.id::text, c.last_message_at from conversations c
      where c.id between ${q.id.low}::uuid and ${q.id.high}::uuid and ${where}
      order by c.last_message_at desc limit ${ARM_LIMIT}`);
  if (q.phoneDigits) {
    const digits = `%${q.phoneDigits}%`;
    arm(sql`select c.id, 'phone', null::uuid, i.address, c.last_message_at from contact_identities i
      join conversations c on c.contact_id = i.contact_id
      where search_digits(i.address) like ${digits} and i.kind = 'phone' and ${where}
      order by c.last_message_at desc limit ${ARM_LIMIT}`);
    arm(sql`select c.id, 'phone', null::uuid, ct.phone, c.last_message_at from contacts ct
      join conversations c on c.contact_id = ct.id
      where search_digits(ct.phone) like ${digits} and ${where}
      order by c.last_message_at desc limit ${ARM_LIMIT}`);
    arm(messageArm(sql`mention_digits(m.body, m.html) like ${digits}`, where, ARM_LIMIT));
  }
  if (q.substring) {
    arm(sql`select c.id, 'name', null::uuid, ct.name, c.last_message_at from contacts ct
      join conversations c on c.contact_id = ct.id
      where ct.name ilike ${q.substring} and ${where}
      order by c.last_message_at desc limit ${ARM_LIMIT}`);
    arm(sql`select c.id, 'email', null::uuid, ct.email, c.last_message_at from contacts ct
      join conversations c on c.contact_id = ct.id
      where ct.email ilike ${q.substring} and ${where}
      order by c.last_message_at desc limit ${ARM_LIMIT}`);
    arm(sql`select c.id, 'address', null::uuid, i.address, c.last_message_at from contact_identities i
      join conversations c on c.contact_id = i.contact_id
      where i.address ilike ${q.substring} and ${where}
      order by c.last_message_at desc limit ${ARM_LIMIT}`);
    arm(sql`select c.id, 'subject', null::uuid, c.subject, c.last_message_at from conversations c
      where c.subject ilike ${q.substring} and ${where}
      order by c.last_message_at desc limit ${ARM_LIMIT}`);
  }
  if (tsquery) {
    arm(sql`select c.id, 'subject', null::uuid, c.subject, c.last_message_at from conversations c
      where to_tsvector('simple'::regconfig, coalesce(c.subject, ''))
          @@ websearch_to_tsquery('simple'::regconfig, ${q.words})
        and ${where}
      order by c.last_message_at desc limit ${ARM_LIMIT}`);
    arm(messageArm(sql`m.search_vector @@ ${tsquery}::tsquery`, where, ARM_LIMIT));
  }
  return list;
}

type Candidate = {
  conversation_id: string;
  matched_in: MatchedIn;
  message_id: string | null;
  value: string | null;
  /** The conversation's last activity (drivers give a Date or a string). */
  at: Date | string;
};

const timeOf = (at: Date | string) => new Date(at).getTime();

/**
 * The best hit per conversation (the most specific field: an id before a name before a message; the newest
 * message of several), then the page: most specific first, most recent activity first.
 */
function pageOf(rows: Candidate[], limit: number): Candidate[] {
  const best = new Map<string, Candidate>();
  for (const row of rows) {
    const seen = best.get(row.conversation_id);
    if (!seen || rankOf[row.matched_in] < rankOf[seen.matched_in]) best.set(row.conversation_id, row);
  }
  return [...best.values()]
    .sort((a, b) => rankOf[a.matched_in] - rankOf[b.matched_in] || timeOf(b.at) - timeOf(a.at))
    .slice(0, limit);
}

async function messageSnippets(db: Db, tsquery: string | null, ids: string[]): Promise<Map<string, SnippetPart[]>> {
  if (!ids.length) return new Map();
  const options =
    `StartSel=${HEADLINE_START}, StopSel=${HEADLINE_STOP}, ` +
    'MaxWords=24, MinWords=8, MaxFragments=2, FragmentDelimiter=" … "';
  const rows = rowsOf<{ id: string; headline: string }>(
    await db.execute(
      sql`select m.id, ${
        tsquery
          ? sql`ts_headline(search_config(m.language), left(m.body, 20000), ${tsquery}::tsquery, ${options})`
          : sql`left(m.body, 160)`
      } as headline from messages m where m.id in (${sql.join(
        ids.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})`,
    ),
  );
  return new Map(rows.map((r) => [r.id, headlineParts(r.headline)]));
}

export async function searchConversations(db: Db, request: SearchRequest): Promise<SearchHit[]> {
  const q = parseSearchText(request.text);
  const tsquery = await textQuery(db, q.words);
  const list = arms(
    q,
    tsquery,
    filterConditions(request.filters, request.inboxIds, request.viewerAgentId),
    request.limit,
  );
  if (!list.length) return [];
  // Custom plans only: the plan depends on how common the words are (walk the newest messages, or read the
  // index), which a generic plan of the prepared statement cannot know; one picked for a common word walked every
  // message for a rare one.
  const candidates = await db.transaction(async (tx) => {
    await tx.execute(sql`set local plan_cache_mode = force_custom_plan`);
    return rowsOf<Candidate>(
      await tx.execute(sql`select * from (${sql.join(list, sql` union all `)})
        as hits(conversation_id, matched_in, message_id, value, at)`),
    );
  });
  const best = pageOf(candidates, request.limit);
  if (!best.length) return [];
  const [views, snippets] = await Promise.all([
    // The scope once more: the views are what the agent reads, so they never rest on the arms alone.
    loadConversationViews(
      db,
      { ids: best.map((b) => b.conversation_id), inboxIds: request.inboxIds, limit: best.length },
      request.viewerAgentId,
    ),
    messageSnippets(
      db,
      tsquery,
      best.flatMap((b) => (b.message_id ? [b.message_id] : [])),
    ),
  ]);
  const byId = new Map(best.map((b) => [b.conversation_id, b]));
  return views
    .map(({ seq: _seq, ...conversation }) => {
      const hit = byId.get(conversation.id)!;
      const snippet = hit.message_id
        ? (snippets.get(hit.message_id) ?? [])
        : hit.matched_in === 'phone' || hit.matched_in === 'id'
          ? [{ text: hit.value ?? '', match: true }]
          : highlightValue(hit.value ?? '', q.words);
      return { conversation, matchedIn: hit.matched_in, messageId: hit.message_id, snippet };
    })
    .sort(
      (a, b) =>
        rankOf[a.matchedIn] - rankOf[b.matchedIn] ||
        b.conversation.lastMessageAt.localeCompare(a.conversation.lastMessageAt),
    );
}
