import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../server/db/client.ts';
import { safeError } from '../../server/logging/safe-error.ts';

const PERSONAL = 'ada.lovelace@example.org';

describe('errors in log lines', () => {
  it('a failed query is logged by class and SQLSTATE, never with its values', async () => {
    const database = await openDatabase({});
    let failure: unknown;
    try {
      // An unknown enum value: PostgreSQL quotes the value in its message, drizzle adds the params.
      await database.db.execute(sql`insert into contact_identities (contact_id, kind, address_token, sealed_address)
        values (gen_random_uuid(), ${PERSONAL}::identity_kind, ${PERSONAL}, ${PERSONAL})`);
    } catch (err) {
      failure = err;
    } finally {
      await database.close();
    }
    expect(String((failure as Error).message) + String((failure as Error).stack)).toContain(PERSONAL);
    let line = '';
    const log = pino(
      { serializers: { err: safeError } },
      new Writable({ write: (chunk, _enc, done) => ((line += chunk.toString()), done()) }),
    );
    log.error({ err: failure }, 'request failed');
    expect(line).not.toContain(PERSONAL);
    expect(JSON.parse(line).err).toMatchObject({ code: '22P02', message: 'database error (details withheld)' });
    expect(JSON.parse(line).err.stack).toMatch(/^\s+at /);
  });

  it('other errors keep a short message and their frames', () => {
    const out = safeError(new TypeError('x'.repeat(500)));
    expect(out.type).toBe('TypeError');
    expect(out.message.length).toBeLessThanOrEqual(201);
    expect(out.stack).toMatch(/^\s+at /);
  });
});
