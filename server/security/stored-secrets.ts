import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { inboxes, instanceSettings, webhookSubscriptions } from '../../drizzle/schema/index.ts';
import type { ChannelKind } from '../../drizzle/schema/enums.ts';
import { isSealed, secretContext, sealedKeyId, SecretUnreadableError, type SecretBox } from './secret-box.ts';

/**
 * Every secret the database holds, and the operations over all of them: sealing what is still plain text
 * (at start), re-encrypting under the current key (keys:rotate), and which keys they use.
 * - instance_settings rows named in SECRET_INSTANCE_SETTINGS (the visitor-token secret);
 * - paths inside inboxes.settings, per channel kind, as each channel module declares them (`secretSettings`);
 * - the signing secrets of outgoing webhooks (webhook_subscriptions.secret).
 */
export const SECRET_INSTANCE_SETTINGS = ['visitor_token_secret'] as const;

/** Per channel kind: the dotted paths in inboxes.settings that hold secrets (e.g. email: imap.password). */
export type InboxSecretPaths = Partial<Record<ChannelKind, readonly string[]>>;

type Settings = Record<string, unknown>;

function get(settings: Settings, path: string): unknown {
  let node: unknown = settings;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Settings)[part];
  }
  return node;
}

/** A copy of `settings` with the value at `path` replaced (or removed when `value` is undefined). */
function set(settings: Settings, path: string, value: unknown): Settings {
  const [head, ...rest] = path.split('.');
  const copy = { ...settings };
  if (rest.length === 0) {
    if (value === undefined) delete copy[head!];
    else copy[head!] = value;
    return copy;
  }
  const child = copy[head!];
  if (child === null || typeof child !== 'object') return copy;
  copy[head!] = set(child as Settings, rest.join('.'), value);
  return copy;
}

/** The secrets of one inbox's settings, as the channels see them through the port. */
export type InboxSecrets = {
  /** Encrypts every non-empty secret at `paths` (plain text in, as the API received it). */
  seal(inboxId: string, settings: Settings, paths: readonly string[]): Settings;
  /**
   * Decrypts the secrets at `paths`. Throws SecretUnreadableError for one that does not open, unless
   * `dropUnreadable` (an admin replacing a secret must not be blocked by the one it replaces). A value still in
   * plain text (written by an older server, sealed at the next start) is returned as it is.
   */
  open(inboxId: string, settings: Settings, paths: readonly string[], dropUnreadable?: boolean): Settings;
};

export function inboxSecrets(box: SecretBox): InboxSecrets {
  return {
    seal(inboxId, settings, paths) {
      let sealed = settings;
      for (const path of paths) {
        const value = get(sealed, path);
        if (typeof value === 'string' && value !== '' && !isSealed(value))
          sealed = set(sealed, path, box.seal(value, secretContext.inboxSetting(inboxId, path)));
      }
      return sealed;
    },
    open(inboxId, settings, paths, dropUnreadable = false) {
      let opened = settings;
      for (const path of paths) {
        const value = get(opened, path);
        if (!isSealed(value)) continue;
        try {
          opened = set(opened, path, box.open(value, secretContext.inboxSetting(inboxId, path)));
        } catch (err) {
          if (!(dropUnreadable && err instanceof SecretUnreadableError)) throw err;
          opened = set(opened, path, undefined);
        }
      }
      return opened;
    },
  };
}

type Visit = (value: string, context: string) => string | null;

/**
 * Calls `visit` on every stored secret (plain or sealed) and writes back what it returns (null: unchanged).
 * Each row is read and written in one transaction with a row lock, so a concurrent change is not lost.
 */
async function eachSecret(db: Db, paths: InboxSecretPaths, visit: Visit): Promise<number> {
  let changed = 0;
  for (const key of SECRET_INSTANCE_SETTINGS) {
    changed += await db.transaction(async (tx) => {
      const [row] = await tx.select().from(instanceSettings).where(eq(instanceSettings.key, key)).for('update');
      const next = row ? visit(row.value, secretContext.instanceSetting(key)) : null;
      if (next === null) return 0;
      await tx.update(instanceSettings).set({ value: next }).where(eq(instanceSettings.key, key));
      return 1;
    });
  }
  // Outgoing webhooks' signing secrets (server/webhooks/subscriptions.ts).
  for (const { id } of await db.select({ id: webhookSubscriptions.id }).from(webhookSubscriptions)) {
    changed += await db.transaction(async (tx) => {
      const [row] = await tx.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, id)).for('update');
      const next = row ? visit(row.secret, secretContext.webhookSecret(id)) : null;
      if (next === null) return 0;
      await tx.update(webhookSubscriptions).set({ secret: next }).where(eq(webhookSubscriptions.id, id));
      return 1;
    });
  }
  const kinds = Object.keys(paths) as ChannelKind[];
  if (kinds.length === 0) return changed;
  const ids = await db.select({ id: inboxes.id }).from(inboxes).where(inArray(inboxes.channel, kinds));
  for (const { id } of ids) {
    changed += await db.transaction(async (tx) => {
      const [row] = await tx.select().from(inboxes).where(eq(inboxes.id, id)).for('update');
      if (!row) return 0;
      let settings = row.settings;
      let count = 0;
      for (const path of paths[row.channel] ?? []) {
        const value = get(settings, path);
        if (typeof value !== 'string' || value === '') continue;
        const next = visit(value, secretContext.inboxSetting(id, path));
        if (next === null) continue;
        settings = set(settings, path, next);
        count++;
      }
      if (count > 0) await tx.update(inboxes).set({ settings }).where(eq(inboxes.id, id));
      return count;
    });
  }
  return changed;
}

/** At start: encrypts every secret still stored in plain text (databases from before encryption at rest). */
export function sealPlaintextSecrets(db: Db, box: SecretBox, paths: InboxSecretPaths): Promise<number> {
  return eachSecret(db, paths, (value, context) => (isSealed(value) ? null : box.seal(value, context)));
}

/**
 * Re-encrypts every secret under the current key (and seals any plain text left). Returns how many changed and
 * the ids of the keys still in use afterwards: only the current one, unless a value did not open (listed as
 * unreadable: its key is not configured here) or was written under an old key while this ran.
 */
export async function resealSecrets(
  db: Db,
  box: SecretBox,
  paths: InboxSecretPaths,
): Promise<{ resealed: number; unreadable: number; keyIds: Set<string> }> {
  const current = box.currentKeyId();
  let unreadable = 0;
  const resealed = await eachSecret(db, paths, (value, context) => {
    if (!isSealed(value)) return box.seal(value, context);
    if (sealedKeyId(value) === current) return null;
    try {
      return box.seal(box.open(value, context), context);
    } catch (err) {
      if (!(err instanceof SecretUnreadableError)) throw err;
      unreadable++;
      return null;
    }
  });
  return { resealed, unreadable, keyIds: await secretKeyIds(db, paths) };
}

/** The ids of the keys the stored secrets are encrypted under. */
export async function secretKeyIds(db: Db, paths: InboxSecretPaths): Promise<Set<string>> {
  const ids = new Set<string>();
  const note = (value: unknown) => {
    const id = sealedKeyId(value);
    if (id) ids.add(id);
  };
  const settingRows = await db
    .select({ value: instanceSettings.value })
    .from(instanceSettings)
    .where(inArray(instanceSettings.key, [...SECRET_INSTANCE_SETTINGS]));
  settingRows.forEach((row) => note(row.value));
  const webhooks = await db.select({ secret: webhookSubscriptions.secret }).from(webhookSubscriptions);
  webhooks.forEach((row) => note(row.secret));
  const kinds = Object.keys(paths) as ChannelKind[];
  if (kinds.length > 0) {
    const rows = await db
      .select({ channel: inboxes.channel, settings: inboxes.settings })
      .from(inboxes)
      .where(inArray(inboxes.channel, kinds));
    for (const row of rows) for (const path of paths[row.channel] ?? []) note(get(row.settings, path));
  }
  return ids;
}
