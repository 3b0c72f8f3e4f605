import { desc, eq } from 'drizzle-orm';
import { webhookDeliveries, webhookSubscriptions } from '../../drizzle/schema/index.ts';
import { forgetSubscribedTypes } from './deliveries.ts';
import type { Db } from '../db/client.ts';
import { badRequest, notFound } from '../domain/errors.ts';
import { appendAudit } from '../privacy/audit.ts';
import { secretContext, type SecretBox } from '../security/secret-box.ts';
import { newWebhookSecret } from './signature.ts';
import type { WebhookEventType } from './events.ts';

export type WebhookSubscriptionView = {
  id: string;
  name: string;
  url: string;
  events: string[];
  includeContent: boolean;
  paused: boolean;
  createdBy: string;
  createdAt: string;
  pausedAt: string | null;
};

type Row = typeof webhookSubscriptions.$inferSelect;
const toView = (row: Row): WebhookSubscriptionView => ({
  id: row.id,
  name: row.name,
  url: row.url,
  events: row.events,
  includeContent: row.includeContent,
  paused: row.pausedAt !== null,
  createdBy: row.createdBy,
  createdAt: row.createdAt.toISOString(),
  pausedAt: row.pausedAt?.toISOString() ?? null,
});

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * An endpoint must be HTTPS: the payload leaves the installation. Plain http is accepted for loopback only (a
 * receiver on the same machine, local development); the outbound guard still refuses loopback and private
 * addresses unless OUTBOUND_ALLOW_HOSTS names them.
 */
export function checkWebhookUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest('invalid_webhook_url', 'The webhook URL is not a valid absolute URL');
  }
  if (url.username || url.password)
    throw badRequest('invalid_webhook_url', 'The webhook URL must not carry a user name or password');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname)))
    throw badRequest('invalid_webhook_url', 'The webhook URL must use https (plain http only for localhost)');
  return url.toString();
}

export async function createWebhookSubscription(
  db: Db,
  box: SecretBox,
  adminId: string,
  input: { name: string; url: string; events: WebhookEventType[]; includeContent?: boolean },
): Promise<{ subscription: WebhookSubscriptionView; secret: string }> {
  const url = checkWebhookUrl(input.url);
  const secret = newWebhookSecret();
  const created = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(webhookSubscriptions)
      .values({
        name: input.name,
        url,
        events: [...new Set(input.events)],
        includeContent: input.includeContent ?? false,
        secret: 'pending',
        createdBy: adminId,
      })
      .returning();
    // The context names the row's id, which exists only now.
    await tx
      .update(webhookSubscriptions)
      .set({ secret: box.seal(secret, secretContext.webhookSecret(row!.id)) })
      .where(eq(webhookSubscriptions.id, row!.id));
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId: adminId,
      action: 'webhook.created',
      targetType: 'webhook_subscription',
      targetId: row!.id,
      details: { events: row!.events, includeContent: row!.includeContent },
    });
    return { subscription: toView(row!), secret };
  });
  forgetSubscribedTypes(db);
  return created;
}

export async function listWebhookSubscriptions(db: Db): Promise<WebhookSubscriptionView[]> {
  return (await db.select().from(webhookSubscriptions).orderBy(desc(webhookSubscriptions.createdAt))).map(toView);
}

/** Pauses (nothing is recorded for it while paused, waiting deliveries wait) or resumes a subscription. */
export async function pauseWebhookSubscription(
  db: Db,
  adminId: string,
  id: string,
  paused: boolean,
): Promise<WebhookSubscriptionView> {
  const changed = await db.transaction(async (tx) => {
    const [current] = await tx.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, id)).for('update');
    if (!current) throw notFound('Webhook subscription');
    if ((current.pausedAt !== null) === paused) return toView(current);
    const [row] = await tx
      .update(webhookSubscriptions)
      .set({ pausedAt: paused ? new Date() : null })
      .where(eq(webhookSubscriptions.id, id))
      .returning();
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId: adminId,
      action: paused ? 'webhook.paused' : 'webhook.resumed',
      targetType: 'webhook_subscription',
      targetId: id,
    });
    return toView(row!);
  });
  forgetSubscribedTypes(db);
  return changed;
}

/** Deletes the subscription with its waiting deliveries and their log. */
export async function deleteWebhookSubscription(db: Db, adminId: string, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx.delete(webhookSubscriptions).where(eq(webhookSubscriptions.id, id)).returning();
    if (!row) throw notFound('Webhook subscription');
    await appendAudit(tx, {
      actorKind: 'agent',
      actorId: adminId,
      action: 'webhook.deleted',
      targetType: 'webhook_subscription',
      targetId: id,
    });
  });
  forgetSubscribedTypes(db);
}

export type WebhookDeliveryView = {
  id: string;
  eventId: string;
  eventType: string;
  occurredAt: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  log: Array<{ at: string; status: number | null; error: string | null; ms: number }>;
};

/** The latest deliveries of a subscription with every attempt's outcome (what an admin checks first). */
export async function recentWebhookDeliveries(db: Db, subscriptionId: string, limit = 20) {
  const [sub] = await db
    .select({ id: webhookSubscriptions.id })
    .from(webhookSubscriptions)
    .where(eq(webhookSubscriptions.id, subscriptionId));
  if (!sub) throw notFound('Webhook subscription');
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.subscriptionId, subscriptionId))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(limit);
  return rows.map((row): WebhookDeliveryView => ({
    id: row.id,
    eventId: row.eventId,
    eventType: row.eventType,
    occurredAt: row.occurredAt.toISOString(),
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt?.toISOString() ?? null,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    log: row.log,
  }));
}
