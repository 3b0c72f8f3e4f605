import { sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { rowsOf, type Db } from './client.ts';
import { leases } from '../../drizzle/schema/index.ts';

/** This process's identity as a lease holder. */
export const processHolder = `${process.pid}-${randomUUID().slice(0, 8)}`;

/** Takes the lease if it is free or expired (or already ours); true when this process now holds it. */
export async function tryAcquireLease(db: Db, name: string, ttlMs: number, holder = processHolder): Promise<boolean> {
  const expires = new Date(Date.now() + ttlMs);
  const result = await db.execute(sql`
    insert into ${leases} (name, holder, expires_at) values (${name}, ${holder}, ${expires.toISOString()}::timestamptz)
    on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at
    where ${leases.expiresAt} < now() or ${leases.holder} = excluded.holder
    returning holder`);
  return rowsOf<{ holder: string }>(result).length === 1;
}

export async function releaseLease(db: Db, name: string, holder = processHolder): Promise<void> {
  await db.execute(sql`delete from ${leases} where name = ${name} and holder = ${holder}`);
}
