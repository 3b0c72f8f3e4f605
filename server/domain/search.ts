import { openMessageTexts, snippetOf, type TextKeys } from './message-text.ts';
import { tokenOfAddress } from './identity-address.ts';
import { DATA_PREFIX } from '../security/data-keys.ts';
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
import { withPhrasePairs } from './search-phrases.ts';
import { websearchQuery } from './search-tokens.ts';
import {
  contactFieldContext,
  emailWordTokens,
  nameTokens,
  phoneDigitsToken,
  PHONE_SUFFIX_MIN,
  tokenArray,
} from './contact-fields.ts';
import { identityKeysOf } from './identity-address.ts';
import type { SearchBlinding } from './search-blind.ts';

/**
 * The search box: conversations found by message text, subject, contact name, email, phone and id, each kind of
 * match an arm that checks the newest conversations itself and then, only if needed, asks the indexes of migrations
 * 0015 and 0021 (each index step names exactly an indexed expression, or PostgreSQL would read every row).
 *
 * Message text is matched against messages.search_vector (migrations 0021/0022), a stored tsvector with every word
 * of body + HTML unstemmed ('simple') and, where the message's language is known, stemmed in that language. The
 * query is the typed text in 'simple' OR'd with it stemmed in every configuration we index, since the agent's words
 * carry no language: "refund" then finds "refunds" in English and "Rückerstattungen" for "Rückerstattung", and a
 * name, an address or a code is found by its exact spelling in any message. An expression index of the 'simple'
 * words could serve exact words alone, but every row checked outside the index (phrase rechecks, the walk over
 * the newest conversations' messages) would compute to_tsvector again, 50-200 µs a row. Erasure reads this vector too.
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
  /** Last activity on or after this day, and on or before `to` (a whole day), as days of `timeZone`. */
  from?: string;
  to?: string;
  /** The IANA zone the days are the agent's days in (a day in Helsinki starts at 22:00 UTC); UTC by default. */
  timeZone?: string;
};

export type SearchRequest = {
  text: string;
  filters: SearchFilters;
  /** The agent's visible inboxes (server/domain/scope.ts): null = every inbox. */
  inboxIds: InboxIds;
  viewerAgentId: string;
  limit: number;
  /**
   * The blinded index's keys (search-blind.ts, migrations 0040/0042: a sealed row's search_vector holds keyed tokens
   * and mention_tokens the tokens of its digit runs): the query's lexemes and a phone number's digits are looked up
   * as tokens too, beside the words and digits of plaintext rows. The app always sets it (message-store.ts).
   */
  blinding?: SearchBlinding;
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
  // The trash is searched by nobody (an admin restores a conversation to find it again).
  const where: SQL[] = [sql`c.deleted_at is null`];
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
  const zone = f.timeZone ?? 'UTC';
  if (f.from) where.push(sql`c.last_message_at >= ${f.from}::date::timestamp at time zone ${zone}::text`);
  if (f.to) where.push(sql`c.last_message_at < (${f.to}::date + 1)::timestamp at time zone ${zone}::text`);
  return sql.join(where, sql` and `);
}

/**
 * The typed text as one tsquery (its text; null when the text has no word to search for: only stop words, only
 * punctuation): in 'simple' and stemmed in every configuration we index, OR'd, with the alternatives that come out
 * the same (most words in most languages) given once: PostgreSQL does not simplify `'refund' | 'refund' | ...`, and
 * every duplicate made each row it checks slower (39 ms against 0.7 ms for a walk over 250 rows).
 */
function textQuery(words: string): SQL {
  if (!/[\p{L}\p{N}]/u.test(words)) return sql`null::text`;
  // A quoted phrase asks for these very words in this order, as in web search engines: 'simple' only. It is also
  // what makes phrases fast: the vector's word pairs (search-phrases.ts) are of the unstemmed words, and a stemmed
  // alternative OR'd beside them would bring back every message holding the stemmed words.
  const configs = words.includes('"') ? ['simple'] : ['simple', ...SEARCH_CONFIGS];
  return sql`(select string_agg('(' || q || ')', ' | ') from (
      select distinct websearch_to_tsquery(cfg::regconfig, ${words})::text as q
      from unnest(array[${sql.join(
        configs.map((c) => sql`${c}`),
        sql`, `,
      )}]::text[]) as cfg) as alternatives
    where q <> '')`;
}

/**
 * How many of the newest conversations (after the filters and the scope) the field arms check themselves before they
 * ask their indexes: a primary-key look-up and a comparison each, 200 are a millisecond or two. Names look at 400:
 * a common last name is in one conversation in 20, and the index step for it joins and sorts thousands of contacts.
 */
const FIELDS_WALK = 200;
const NAMES_WALK = 400;

/** The newest `size` conversations the filters keep, as `c`: the walk of an arm (from `recent`, shared). */
const newest = (size: number) => sql`(select * from recent limit ${size}) as c`;

/**
 * An arm: `body` returns (conversation, what matched, message, field value, last activity), its newest `limit`.
 * An arm with a `walk` is answered newest conversations first, in two steps, because which is fast depends on how
 * common the match is among the conversations the filters keep, and PostgreSQL's estimate of that assumes the match
 * and the filters independent: it walked all 100,000 conversations of the Chat inbox for a word found only in email
 * subjects, and every message for a rare word.
 *   1. `walk`: the newest `size` conversations the filters keep (`newest(size)`), each checked (`check`); a match
 *      as common as one in size / limit conversations fills the page here, newest first.
 *   2. Only when the walk found fewer than `limit` and did not see every conversation the filters keep: `body`, the
 *      matches from the index (materialized first, so PostgreSQL cannot turn it back into an unbounded walk),
 *      joined to the filters and sorted.
 * Either way the arm gives the newest `limit` matching conversations (step 2 repeats step 1's; the page keeps one
 * hit per conversation). The walk is a nested loop over a LATERAL subquery with a LIMIT, so it stops early.
 * `rank` is what the arm's hits match in: an arm runs only while the arms of more specific matches found fewer
 * than `limit` conversations, since the page shows the most specific matches first. `matches`, where the index is
 * cheap to ask, gives the matching rows: with fewer than `limit` of them in all, the walk is skipped (a phone
 * number or an email address typed is in no name; walking 400 conversations to learn that cost more than the
 * index step).
 */
type Arm = { rank: MatchedIn; body: SQL; walk?: { size: number; check: SQL; matches?: SQL } };

/**
 * Identity addresses are stored only sealed (issue 22): they are found by token, i.e. an exact email address or a
 * full international number, never a part of one. The value shown for such a hit is the text searched for.
 */
export type IdentityTerms = {
  text: string;
  emailTokens: string[];
  phoneToken: string | null;
  /** The token contacts' own phone numbers ending with the digits typed hold (at least 6 digits; phoneFieldArm). */
  phoneFieldToken: string | null;
  /** The tokens of the words typed, as contacts' sealed names and email addresses are found (nameArm, emailArm). */
  nameTokens: string[];
  emailWordTokens: string[];
};

function identityTermsOf(db: Db, q: ParsedQuery): IdentityTerms {
  const text = q.words.replace(/^"(.*)"$/, '$1').trim();
  const emailTokens = text.includes('@')
    ? [...new Set([text, text.toLowerCase()])].map((e) => tokenOfAddress(db, 'email', e))
    : [];
  const international = q.phoneDigits !== null && /^(\+|00)/.test(text);
  const digits = q.phoneDigits;
  const { blindIndex } = identityKeysOf(db);
  return {
    text,
    emailTokens,
    phoneToken: international ? tokenOfAddress(db, 'phone', `+${digits}`) : null,
    phoneFieldToken: digits !== null && digits.length >= PHONE_SUFFIX_MIN ? phoneDigitsToken(blindIndex, digits) : null,
    nameTokens: nameTokens(blindIndex, q.words),
    emailWordTokens: emailWordTokens(blindIndex, q.words),
  };
}

function identityArm(
  rank: 'address' | 'phone',
  kind: 'email' | 'phone',
  tokens: string[],
  value: string,
  where: SQL,
  limit: number,
): Arm {
  return {
    rank,
    body: sql`select c.id, ${rank}::text, null::uuid, ${value}::text, c.last_message_at from contact_identities i
      join conversations c on c.contact_id = i.contact_id
      where i.kind = ${kind} and i.address_token in (${sql.join(
        tokens.map((t) => sql`${t}`),
        sql`, `,
      )}) and ${where}
      order by c.last_message_at desc limit ${limit}`,
  };
}
/**
 * Conversations whose contact's name holds every word typed (issue 22: names are sealed, found by the blind-index
 * tokens of their words, contacts_name_tokens, a GIN index; contact-fields.ts). Whole words: "müll" no longer finds
 * "Müller". The value is left null: the conversation's view carries the opened name, which the snippet shows.
 */
function nameArm(tokens: readonly string[], where: SQL, limit: number): Arm {
  return tokenArm('name', sql`ct.name_tokens`, sql`null::text`, tokens, NAMES_WALK, where, limit);
}

/**
 * Conversations whose contact's email address holds every word typed, as a word of the address (email_tokens,
 * contact-fields.ts): "ada.lovelace@example" and "lovelace" find ada.lovelace@example.com, "lovel" does not. The
 * value is the sealed address, opened for the snippet.
 */
function emailArm(tokens: readonly string[], where: SQL, limit: number): Arm {
  return tokenArm('email', sql`ct.email_tokens`, sql`ct.sealed_email`, tokens, FIELDS_WALK, where, limit);
}

function tokenArm(
  rank: 'name' | 'email',
  column: SQL,
  value: SQL,
  tokens: readonly string[],
  walk: number,
  where: SQL,
  limit: number,
): Arm {
  const match = sql`${column} @> ${tokenArray(tokens)}::text[]`;
  return {
    rank,
    walk: {
      size: walk,
      check: sql`select c.id, ${rank}::text, null::uuid, ${value}, c.last_message_at from ${newest(walk)}
        join contacts ct on ct.id = c.contact_id where ${match}`,
      matches: sql`select 1 from contacts ct where ${match}`,
    },
    body: sql`with v as materialized (select ct.id as contact_id, ${value} as value from contacts ct where ${match})
      select c.id, ${rank}::text, null::uuid, v.value, c.last_message_at from v
      cross join lateral (select c.id, c.last_message_at from conversations c
        where c.contact_id = v.contact_id and ${where} offset 0) as c
      order by c.last_message_at desc limit ${limit}`,
  };
}

/**
 * Conversations whose contact's own phone number ends with the digits typed (phone_tokens, contact-fields.ts: a
 * token per suffix of 6 to 20 digits). The value shown is the text searched for.
 */
function phoneFieldArm(token: string, text: string, where: SQL, limit: number): Arm {
  const match = sql`ct.phone_tokens @> array[${token}]::text[]`;
  return {
    rank: 'phone',
    body: sql`select c.id, 'phone'::text, null::uuid, ${text}::text, c.last_message_at from contacts ct
      join conversations c on c.contact_id = ct.id
      where ${match} and ${where}
      order by c.last_message_at desc limit ${limit}`,
  };
}

/**
 * A subject stored in plaintext (a row from before issue 22's subjects, migration 0047): the plain subject indexes of
 * migration 0021 hold only such rows (this very predicate, so PostgreSQL can use them), and a sealed subject's base64
 * must never match a typed fragment.
 */
const PLAIN_SUBJECT = sql.raw(`c.subject not like 'pdk:%'`);

/**
 * Conversations whose subject matches `match` (over `c.subject` or `c.subject_vector`, through an index of
 * conversations). The value is left null: a sealed subject is opened in the conversation's view, which the snippet
 * shows.
 */
function subjectArm(match: SQL, where: SQL, limit: number): Arm {
  return {
    rank: 'subject',
    walk: {
      size: FIELDS_WALK,
      check: sql`select c.id, 'subject'::text, null::uuid, null::text, c.last_message_at
        from ${newest(FIELDS_WALK)} where ${match}`,
      matches: sql`select 1 from conversations c where ${match}`,
    },
    body: sql`with c as materialized (select c.* from conversations c where ${match})
      select c.id, 'subject'::text, null::uuid, null::text, c.last_message_at from c
      where ${where} order by c.last_message_at desc limit ${limit}`,
  };
}

/**
 * Subjects holding the typed words, whole (issue 22): plaintext rows through PostgreSQL's 'simple' words of the
 * subject as before, sealed rows through their tokens (subject_vector, subject-store.ts), the typed text split by
 * the server's tokenizer, unstemmed as the subjects were indexed, and mapped through the same key.
 */
function subjectWordsMatch(words: string, blinding: SearchBlinding | undefined): SQL {
  const plain = sql`(${PLAIN_SUBJECT} and to_tsvector('simple'::regconfig, coalesce(c.subject, ''))
    @@ websearch_to_tsquery('simple'::regconfig, ${words}))`;
  const own = blinding ? websearchQuery(words, { stemmed: false }) : null;
  if (!blinding || own === null) return plain;
  return sql`(${plain} or c.subject_vector @@ ${blinding.query(withPhrasePairs(own))}::tsquery)`;
}

/**
 * Conversations with a message (not a timeline event) whose words match the query, with the newest such message.
 * The walk reads each recent conversation's messages newest first (messages_conversation) until one matches:
 * `ts_match_vq` is `@@` in a form no index serves, since PostgreSQL otherwise intersected the whole word index with
 * each conversation's messages, 200 times. The index step takes every matching message from
 * messages.search_vector (a rare word: a few thousand at 1,000,000 messages), newest first, and looks up their
 * conversations with the filters until it has `limit` conversations' worth (several matches in one conversation use
 * up the limit, hence ten per page entry). PostgreSQL chose to hash all conversations for that join.
 */
/**
 * Words are checked in the newest 300 conversations, phrases in the newest 600: reading a conversation's messages
 * costs more than a look-up, a word in a tenth of the conversations fills the page within them, and a rarer one is
 * the index's to find. The index gives a phrase's messages through the word pairs (search-phrases.ts), but reads
 * each of them to check the positions and sort by time: a phrase in 0.5-1 % of the messages (5,000-8,000 at
 * 1,000,000) took 60-70 ms there, and a longer walk finds its page before that. Measured at 1,000,000 messages on an
 * idle machine, phrase p50 / p95: walk 300: 26 / 101 ms; 600: 23 / 37; 1,000: 29 / 41. Before the pairs the index
 * read every message holding the phrase's words (360,000 for two common words, 1.6 s).
 */
const TEXT_WALK = 300;
const PHRASE_WALK = 600;

function wordsArm(tsquery: string, where: SQL, limit: number, identifier: boolean): Arm {
  const query = sql`${tsquery}::tsquery`;
  const walk = /<\d*-?>/.test(tsquery) ? PHRASE_WALK : TEXT_WALK;
  const arm: Arm = {
    rank: 'message',
    walk: {
      size: walk,
      check: sql`select c.id, 'message'::text, m.id, null::text, c.last_message_at from ${newest(walk)}
        cross join lateral (select m.id from messages m
          where m.conversation_id = c.id and ts_match_vq(m.search_vector, ${query}) and m.kind <> 'event'
          order by m.created_at desc limit 1) as m`,
    },
    body: sql`with hit as materialized (select m.id, m.conversation_id, m.created_at from messages m
        where m.search_vector @@ ${query} and m.kind <> 'event')
      select c.id, 'message'::text, hit.id, null::text, c.last_message_at
      from (select * from hit order by hit.created_at desc) as hit
      cross join lateral (select c.id, c.last_message_at from conversations c
        where c.id = hit.conversation_id and ${where} limit 1) as c
      limit ${limit * 10}`,
  };
  // An email address, a phone number or an id typed is in few messages if any: the index finds them at once.
  return identifier ? { rank: arm.rank, body: arm.body } : arm;
}

/** The arms as one statement: the shared walk, each arm's walk, and each arm's index step behind its gate. */
function searchStatement(list: Arm[], where: SQL, limit: number): SQL {
  const arms = [...list].sort((a, b) => rankOf[a.rank] - rankOf[b.rank]);
  const recent = Math.max(0, ...arms.map((arm) => arm.walk?.size ?? 0));
  const ctes: SQL[] = [
    sql`recent as materialized (select c.id, c.contact_id, c.subject, c.subject_vector, c.last_message_at
      from conversations c
      where ${where} order by c.last_message_at desc limit ${recent})`,
  ];
  const parts = arms.map((arm, i) => {
    const name = sql.raw(`arm_${i}`);
    let body = arm.body;
    if (arm.walk) {
      const walked = sql.raw(`walked_${i}`);
      const many = arm.walk.matches
        ? sql`(select count(*) from (${arm.walk.matches} limit ${limit}) as probe) >= ${limit}`
        : sql`true`;
      ctes.push(sql`${walked} as materialized (select * from (${arm.walk.check}) as w where ${many} limit ${limit})`);
      body = sql`(select * from ${walked}) union all (select * from (${arm.body}) as indexed
        where (select count(*) from ${walked}) < ${limit}
          and (not ${many} or (select count(*) from recent) >= ${arm.walk.size}))`;
    }
    ctes.push(sql`${name} (conversation_id, matched_in, message_id, value, at) as materialized (${body})`);
    // Fewer than `limit` conversations found by each more specific rank and the ones before it, tested from the
    // most specific on, so that the first test that fails spares the arms after it.
    const levels = [...new Set(arms.map((a) => rankOf[a.rank]))].filter((r) => r < rankOf[arm.rank]);
    const gates = levels.map((level) => {
      const found = arms.flatMap((other, j) =>
        rankOf[other.rank] <= level ? [sql`select conversation_id from ${sql.raw(`arm_${j}`)}`] : [],
      );
      return sql`(select count(distinct conversation_id) from (${sql.join(found, sql` union all `)}) as found)
        < ${limit}`;
    });
    return gates.length
      ? sql`(select * from ${name} where ${sql.join(gates, sql` and `)})`
      : sql`(select * from ${name})`;
  });
  return sql`with ${sql.join(ctes, sql`, `)} ${sql.join(parts, sql` union all `)}`;
}

/**
 * Messages that mention a phone number's digits, newest first, with their conversation (the page takes the newest
 * per conversation; several matches in one conversation use up the limit, hence ten messages per page entry). Six
 * digits or more are rare, so PostgreSQL reads the digits index and sorts the few matches.
 */
function mentionArm(digits: string, where: SQL, limit: number, blinding?: SearchBlinding): SQL[] {
  // Plaintext rows (from before the switch) by their digits, sealed ones by their tokens: one arm per index. An OR of
  // the two in one arm made PostgreSQL read every message (a sequential scan, 300-370 ms at 100,000 messages).
  const byDigits = sql`mention_digits(m.body, m.html) like ${`%${digits}%`}`;
  const byTokens = blinding ? sql`m.mention_tokens @> array[${blinding.digitsToken(digits)}]::text[]` : null;
  return [byDigits, ...(byTokens ? [byTokens] : [])].map(
    (mentions) => sql`select m.conversation_id, 'message', m.id, null::text, c.last_message_at from messages m
    join conversations c on c.id = m.conversation_id
    where ${mentions} and m.kind <> 'event' and ${where}
    order by m.created_at desc limit ${limit * 10}`,
  );
}

/**
 * Every arm returns (conversation, what matched, message, field value, last activity), its newest `limit`; filters
 * and scope are in each arm. `tsquery` is a parameter holding the query's text (computed beforehand, so that
 * PostgreSQL plans with it: how common its words are decides the plan).
 */
function arms(
  q: ParsedQuery,
  tsquery: string | null,
  where: SQL,
  limit: number,
  blinding: SearchBlinding | undefined,
  identity: IdentityTerms,
): Arm[] {
  const list: Arm[] = [];
  const arm = (a: Arm) => list.push(a);
  if (q.id)
    arm({
      rank: 'id',
      body: sql`select c.id, 'id', null::uuid, c.id::text, c.last_message_at from conversations c
        where c.id between ${q.id.low}::uuid and ${q.id.high}::uuid and ${where}
        order by c.last_message_at desc limit ${limit}`,
    });
  if (q.phoneDigits) {
    if (identity.phoneToken) arm(identityArm('phone', 'phone', [identity.phoneToken], identity.text, where, limit));
    if (identity.phoneFieldToken) arm(phoneFieldArm(identity.phoneFieldToken, identity.text, where, limit));
    for (const body of mentionArm(q.phoneDigits, where, limit, blinding)) arm({ rank: 'message', body });
  }
  if (identity.nameTokens.length) arm(nameArm(identity.nameTokens, where, limit));
  if (identity.emailWordTokens.length) arm(emailArm(identity.emailWordTokens, where, limit));
  if (q.substring) {
    if (identity.emailTokens.length)
      arm(identityArm('address', 'email', identity.emailTokens, identity.text, where, limit));
    // Substrings of plaintext subjects only: a sealed one is found by its words (below).
    arm(subjectArm(sql`(${PLAIN_SUBJECT} and c.subject ilike ${q.substring})`, where, limit));
  }
  if (tsquery) {
    arm(subjectArm(subjectWordsMatch(q.words, blinding), where, limit));
    arm(wordsArm(tsquery, where, limit, Boolean(q.phoneDigits || q.id || q.words.includes('@'))));
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

/**
 * Each hit message's snippet: ts_headline over plaintext rows; a sealed row (issue 22) comes back whole, is opened
 * here and cut around the query's words in JS (snippetOf), since the database cannot read it. An unreadable row
 * (its person's key is gone) has no snippet.
 */
export async function messageSnippets(
  db: Db,
  keys: TextKeys,
  tsquery: string | null,
  typed: string,
  ids: string[],
): Promise<Map<string, SnippetPart[]>> {
  if (!ids.length) return new Map();
  const options =
    `StartSel=${HEADLINE_START}, StopSel=${HEADLINE_STOP}, ` +
    'MaxWords=24, MinWords=8, MaxFragments=2, FragmentDelimiter=" … "';
  const rows = rowsOf<{ id: string; headline: string | null; sealed: string | null }>(
    await db.execute(
      sql`select m.id, case when m.body like ${`${DATA_PREFIX}%`} then m.body end as sealed,
      case when m.body like ${`${DATA_PREFIX}%`} then null else ${
        tsquery
          ? sql`ts_headline(search_config(m.language), left(m.body, 20000), ${tsquery}::tsquery, ${options})`
          : sql`left(m.body, 160)`
      } end as headline from messages m where m.id in (${sql.join(
        ids.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})`,
    ),
  );
  const opened = await openMessageTexts(
    keys,
    rows.flatMap((r) => (r.sealed ? [{ id: r.id, body: r.sealed }] : [])),
  );
  const snippets = new Map(rows.flatMap((r) => (r.headline === null ? [] : [[r.id, headlineParts(r.headline)]])));
  for (const row of opened) {
    snippets.set(
      row.id,
      row.textUnreadable ? [] : tsquery ? snippetOf(row.body, typed) : [{ text: row.body.slice(0, 160), match: false }],
    );
  }
  return snippets;
}

/**
 * The query over both forms of the index (migration 0042): plaintext rows from before the switch hold words, sealed
 * rows keyed tokens, in one column under one GIN index; a token never equals a word, so the OR finds each row by its
 * own form. Once `privacy:encrypt-existing` has sealed every row the plain half matches nothing, and is left out
 * (`plainRows`, from the messages_plaintext index, migration 0048): evaluated for every message the walk checks, it
 * doubled the cost of a phrase's check. Each half is split by
 * the tokenizer that wrote its rows: PostgreSQL's for the words (the `tsquery` computed there), the server's
 * (search-tokens.ts) for the tokens.
 */
function plainOrBlinded(
  tsquery: string | null,
  typed: string,
  blinding: SearchBlinding,
  plainRows: boolean,
): string | null {
  const own = websearchQuery(typed);
  const halves = [plainRows ? tsquery : null, own === null ? null : blinding.query(withPhrasePairs(own))].filter(
    (h) => h !== null,
  );
  return halves.length ? halves.map((h) => `(${h})`).join(' | ') : null;
}

export async function searchConversations(db: Db, keys: TextKeys, request: SearchRequest): Promise<SearchHit[]> {
  const q = parseSearchText(request.text);
  const where = filterConditions(request.filters, request.inboxIds, request.viewerAgentId);
  // Three round trips before the views: on a busy machine each costs milliseconds. The settings are LOCAL to the
  // transaction. Custom plans only: the plan depends on how common the words are, which a generic plan of the
  // prepared statement cannot know (one picked for a common word walked every message for a rare one). No parallel
  // workers: starting them took 30-50 ms under load, more than the whole query. No JIT: the index steps that the
  // gates skip still count in the plan's cost, which then passed jit_above_cost, and compiling took 150-170 ms.
  // work_mem: a word index scan of 100,000+ messages otherwise turned lossy and rechecked whole pages.
  const { best, details } = await db.transaction(async (tx) => {
    const [setup] = rowsOf<{ q: string | null; plain_rows: boolean }>(
      await tx.execute(sql`select set_config('plan_cache_mode', 'force_custom_plan', true),
        set_config('max_parallel_workers_per_gather', '0', true), set_config('jit', 'off', true),
        set_config('work_mem', '32MB', true),
        ${textQuery(q.words)} as q, exists(select 1 from messages where body not like 'pdk:%') as plain_rows`),
    );
    const tsquery = setup?.q ?? null;
    const { blinding } = request;
    const indexed = tsquery === null ? null : withPhrasePairs(tsquery);
    const list = arms(
      q,
      blinding ? plainOrBlinded(indexed, q.words, blinding, setup?.plain_rows !== false) : indexed,
      where,
      request.limit,
      blinding,
      identityTermsOf(db, q),
    );
    const best = list.length
      ? pageOf(rowsOf<Candidate>(await tx.execute(searchStatement(list, where, request.limit))), request.limit)
      : [];
    // Views and snippets start on other connections while this one commits.
    const details = best.length
      ? Promise.all([
          // The scope once more: the views are what the agent reads, so they never rest on the arms alone.
          loadConversationViews(
            db,
            keys,
            { ids: best.map((b) => b.conversation_id), inboxIds: request.inboxIds, limit: best.length },
            request.viewerAgentId,
          ),
          messageSnippets(
            db,
            keys,
            tsquery,
            q.words,
            best.flatMap((b) => (b.message_id ? [b.message_id] : [])),
          ),
        ])
      : null;
    // Awaited below; this only keeps a failure while the commit runs from counting as unhandled.
    details?.catch(() => {});
    return { best, details };
  });
  if (!details) return [];
  const [views, snippets] = await details;
  const byId = new Map(best.map((b) => [b.conversation_id, b]));
  const emails = await openedEmails(db, views, byId);
  return views
    .map(({ seq: _seq, ...conversation }) => {
      const hit = byId.get(conversation.id)!;
      if (hit.matched_in === 'email') hit.value = emails.get(conversation.id) ?? null;
      // The subject as the view opened it (a sealed one cannot be read in SQL).
      if (hit.matched_in === 'subject') hit.value = conversation.subject;
      const snippet = hit.message_id
        ? (snippets.get(hit.message_id) ?? [])
        : hit.matched_in === 'phone' || hit.matched_in === 'id'
          ? [{ text: hit.value ?? '', match: true }]
          : highlightValue(hit.value ?? (hit.matched_in === 'name' ? (conversation.contact.name ?? '') : ''), q.words);
      return { conversation, matchedIn: hit.matched_in, messageId: hit.message_id, snippet };
    })
    .sort(
      (a, b) =>
        rankOf[a.matchedIn] - rankOf[b.matchedIn] ||
        b.conversation.lastMessageAt.localeCompare(a.conversation.lastMessageAt),
    );
}

/** The sealed email addresses the email arm matched, opened (one decryptMany), by conversation; unreadable: absent. */
async function openedEmails(
  db: Db,
  views: ReadonlyArray<{ id: string; contact: { id: string } }>,
  hits: ReadonlyMap<string, Candidate>,
): Promise<Map<string, string>> {
  const wanted = views.flatMap((v) => {
    const sealed = hits.get(v.id)?.matched_in === 'email' ? hits.get(v.id)!.value : null;
    return sealed ? [{ id: v.id, sealed, context: contactFieldContext('email', v.contact.id) }] : [];
  });
  if (!wanted.length) return new Map();
  const opened = await identityKeysOf(db).dataKeys.decryptMany(wanted);
  return new Map(wanted.flatMap((w, i) => (opened[i] ? [[w.id, opened[i]!] as const] : [])));
}
