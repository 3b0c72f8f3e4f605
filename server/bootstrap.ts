import { eq } from 'drizzle-orm';
import type { Db } from './db/client.ts';
import { agents } from '../drizzle/schema/index.ts';
import { createAgent } from './domain/agents.ts';
import { DomainError } from './domain/errors.ts';
import { randomToken } from './security/tokens.ts';

import { ADMIN_DISPLAY_NAME } from './domain/admin-name.ts';

export { ADMIN_DISPLAY_NAME };

/**
 * Makes sure an admin exists after the first start. Returns the generated password when it had
 * to make one up, so main.ts can print it exactly once; it is never logged. A generated password is a one-time
 * password: the inbox asks for the admin's own at the first sign-in.
 */
export async function ensureAdmin(
  db: Db,
  email: string,
  password: string | undefined,
): Promise<{ created: boolean; generatedPassword?: string }> {
  const [admin] = await db.select({ id: agents.id }).from(agents).where(eq(agents.role, 'admin')).limit(1);
  if (admin) return { created: false };
  const chosen = password ?? randomToken(15);
  try {
    const admin = await createAgent(db, { email, name: ADMIN_DISPLAY_NAME, role: 'admin', password: chosen }, null);
    if (!password) await db.update(agents).set({ mustChangePassword: true }).where(eq(agents.id, admin.id));
  } catch (err) {
    // Several servers starting at once on an empty database: one of them creates the admin.
    const [winner] = await db.select({ id: agents.id }).from(agents).where(eq(agents.role, 'admin')).limit(1);
    if (err instanceof DomainError && err.code === 'agent_exists' && winner) return { created: false };
    throw err;
  }
  return { created: true, generatedPassword: password ? undefined : chosen };
}
