import { sql } from 'drizzle-orm';
import { openDatabase, rowsOf } from '../../server/db/client.ts';
import { paddedCellsOf } from '../../analytics/scope/cells.ts';
const db = (await openDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:5432/' + process.argv[2], poolSize: 2 })).db;
const now = Date.now(); const b = Math.floor(now / 900000) * 900000;
const w = [{ lo: new Date(b - 900000).toISOString(), hi: new Date(now).toISOString() }];
const q = process.argv[3] === 'mark' ? sql`explain analyze select analytics_mark_dirty(array(
        select b from generate_series(analytics_bucket(now() - interval '3 minutes'), now() + interval '2 minutes', interval '15 minutes') b
        union select c.created_at from messages m join conversations c on c.id = m.conversation_id where m.created_at >= now() - interval '3 minutes'
        union select c.created_at from bot_decisions d join conversations c on c.id = d.conversation_id where d.created_at >= now() - interval '3 minutes'))`
  : sql`explain analyze select count(*) from (${paddedCellsOf(w, 5, true)}) x`;
for (let i = 0; i < 2; i++) { const r = rowsOf<Record<string, string>>(await db.execute(q)); if (i == 1) console.log(r.map((x) => x['QUERY PLAN']).join('\n')); }
process.exit(0);
