import { openMessageText, type TextKeys } from '../domain/message-text.ts';
import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import {
  consentEvents,
  messages,
  webhookDeliveries,
  webhookSubscriptions,
  type WebhookAttempt,
} from '../../drizzle/schema/index.ts';
import { rowsOf, type Db } from '../db/client.ts';
import type { Outbound } from '../http/outbound.ts';
import { secretContext, type SecretBox } from '../security/secret-box.ts';
import { loadConversationView, toMessageView } from '../domain/views.ts';
import type { WebhookEvent } from './events.ts';
import { webhookHeaders } from './signature.ts';

export type WebhookDeps = {
  db: Db;
  box: SecretBox;
  outbound: Pick<Outbound, 'request'>;
  clock: () => Date;
  log: FastifyBaseLogger;
  /** Opens stored message text sealed with a person's data key for the payload. */
  dataKeys: TextKeys;
};

/** Attempts before a delivery is given up (failed): the last one about a day after the first. */
export const MAX_WEBHOOK_ATTEMPTS = 8;
/** 30 s, 2 min, 8 min, 32 min, ~2 h, ~8.5 h, then 12 h: a receiver down for most of a day loses nothing. */
export const webhookRetryDelayMs = (attempt: number) => Math.min(30_000 * 4 ** (attempt - 1), 12 * 3_600_000);
/** A claimed delivery is hidden this long: a server that dies mid-attempt leaves it to the next sweep after that. */
const CLAIM_MS = 60_000;
const TIMEOUT_MS = 10_000;
/** What is kept of the attempts log per delivery (the newest). */
const LOG_LENGTH = 10;

/** How long another server's change to the subscriptions may take to be seen here (this server's own: at once). */
export const SUBSCRIPTIONS_CACHE_MS = 1_000;
const subscribed = new WeakMap<Db, { at: number; types: Promise<Set<string>> }>();

/**
 * The event types some active subscription wants, read at most once a second: every message is an event, and
 * without this each one would cost a query on the ingest path, almost always to learn that nobody subscribed.
 */
function subscribedTypes(db: Db): Promise<Set<string>> {
  const cached = subscribed.get(db);
  if (cached && Date.now() - cached.at < SUBSCRIPTIONS_CACHE_MS) return cached.types;
  const types = db
    .select({ events: webhookSubscriptions.events })
    .from(webhookSubscriptions)
    .where(isNull(webhookSubscriptions.pausedAt))
    .then((rows) => new Set(rows.flatMap((r) => r.events)));
  subscribed.set(db, { at: Date.now(), types });
  types.catch(() => subscribed.delete(db));
  return types;
}

/** Called after this server changes a subscription, so its next event is matched against the change. */
export const forgetSubscribedTypes = (db: Db) => subscribed.delete(db);

/**
 * Records the event for every active subscription to its type, due at once. The unique (subscription, event id)
 * key makes a second recording of the same event (a replay, another server) a no-op.
 */
export async function enqueueWebhookEvent(db: Db, event: WebhookEvent): Promise<number> {
  if (!(await subscribedTypes(db)).has(event.type)) return 0;
  const subscribers = await db
    .select({ id: webhookSubscriptions.id })
    .from(webhookSubscriptions)
    .where(and(isNull(webhookSubscriptions.pausedAt), sql`${event.type} = any(${webhookSubscriptions.events})`));
  if (subscribers.length === 0) return 0;
  const inserted = await db
    .insert(webhookDeliveries)
    .values(
      subscribers.map((s) => ({
        subscriptionId: s.id,
        eventId: event.id,
        eventType: event.type,
        occurredAt: event.occurredAt,
        contactId: event.contactId,
        resources: event.resources,
        nextAttemptAt: event.occurredAt,
      })),
    )
    .onConflictDoNothing()
    .returning({ id: webhookDeliveries.id });
  return inserted.length;
}

type Delivery = typeof webhookDeliveries.$inferSelect;

/**
 * The body a receiver gets: the event's ids, and with `includeContent` the resources as the API shows them now
 * (read at sending time: what was erased or redacted meanwhile is not sent; a resource that is gone is null).
 */
export async function webhookPayload(
  { db, dataKeys }: Pick<WebhookDeps, 'db' | 'dataKeys'>,
  delivery: Delivery,
  includeContent: boolean,
) {
  const base = {
    id: delivery.eventId,
    type: delivery.eventType,
    createdAt: delivery.occurredAt.toISOString(),
    data: delivery.resources,
  };
  if (!includeContent || delivery.eventType === 'contact.erased') return base;
  const { conversationId, messageId, contactId, purpose } = delivery.resources;
  const content: Record<string, unknown> = {};
  if (conversationId) content.conversation = (await loadConversationView(db, dataKeys, conversationId, null)) ?? null;
  if (messageId) {
    const [row] = await db.select().from(messages).where(eq(messages.id, messageId));
    content.message = row ? toMessageView(await openMessageText(dataKeys, row), null) : null;
  }
  if (delivery.eventType === 'consent.changed' && contactId && purpose) {
    const [latest] = await db
      .select({
        granted: consentEvents.granted,
        policyVersion: consentEvents.policyVersion,
        occurredAt: consentEvents.occurredAt,
      })
      .from(consentEvents)
      .where(and(eq(consentEvents.contactId, contactId), sql`${consentEvents.purpose} = ${purpose}`))
      .orderBy(desc(consentEvents.occurredAt), desc(consentEvents.id))
      .limit(1);
    content.consent = latest ? { purpose, ...latest, occurredAt: latest.occurredAt.toISOString() } : null;
  }
  return { ...base, content };
}

/**
 * One sweep: claims the due deliveries of active subscriptions (SKIP LOCKED, pushing their time by CLAIM_MS, so two
 * servers never send one at the same time), sends each once, and records the attempt. Returns how many it tried.
 */
export async function deliverDueWebhooks(deps: WebhookDeps, now = deps.clock(), limit = 20): Promise<number> {
  const claimed = rowsOf<{ id: string }>(
    await deps.db.execute(sql`
      update ${webhookDeliveries} set next_attempt_at = ${new Date(now.getTime() + CLAIM_MS).toISOString()}::timestamptz
      where id in (
        select d.id from ${webhookDeliveries} d
          join ${webhookSubscriptions} s on s.id = d.subscription_id and s.paused_at is null
        where d.state = 'pending' and d.next_attempt_at <= ${now.toISOString()}::timestamptz
        order by d.next_attempt_at, d.created_at, d.id limit ${limit}
        for update of d skip locked)
      returning id`),
  );
  if (claimed.length === 0) return 0;
  const rows = await deps.db
    .select({ delivery: webhookDeliveries, subscription: webhookSubscriptions })
    .from(webhookDeliveries)
    .innerJoin(webhookSubscriptions, eq(webhookSubscriptions.id, webhookDeliveries.subscriptionId))
    .where(
      inArray(
        webhookDeliveries.id,
        claimed.map((c) => c.id),
      ),
    )
    .orderBy(webhookDeliveries.createdAt, webhookDeliveries.id);
  for (const { delivery, subscription } of rows) await attempt(deps, delivery, subscription, now);
  return rows.length;
}

async function attempt(
  deps: WebhookDeps,
  delivery: Delivery,
  subscription: typeof webhookSubscriptions.$inferSelect,
  now: Date,
): Promise<void> {
  const started = Date.now();
  let status: number | null = null;
  let error: string | null = null;
  try {
    const body = JSON.stringify(await webhookPayload(deps, delivery, subscription.includeContent));
    const secret = deps.box.open(subscription.secret, secretContext.webhookSecret(subscription.id));
    const res = await deps.outbound.request(subscription.url, {
      method: 'POST',
      body,
      headers: webhookHeaders(secret, delivery.eventId, body, deps.clock()),
      maxBytes: 64 * 1024,
      timeoutMs: TIMEOUT_MS,
    });
    status = res.status;
    res.body.resume();
    if (status < 200 || status >= 300) error = `HTTP ${status}`;
  } catch (err) {
    // The error's class or code only: a message can name the receiver's address (never personal data, but noise).
    const e = err as { code?: string; name?: string };
    error = e.code ?? e.name ?? 'Error';
  }
  const attempts = delivery.attempts + 1;
  const logged: WebhookAttempt = { at: now.toISOString(), status, error, ms: Date.now() - started };
  const delivered = error === null;
  const state = delivered ? 'delivered' : attempts >= MAX_WEBHOOK_ATTEMPTS ? 'failed' : 'pending';
  await deps.db
    .update(webhookDeliveries)
    .set({
      state,
      attempts,
      log: [...delivery.log, logged].slice(-LOG_LENGTH),
      nextAttemptAt: state === 'pending' ? new Date(now.getTime() + webhookRetryDelayMs(attempts)) : null,
      deliveredAt: delivered ? now : null,
    })
    .where(eq(webhookDeliveries.id, delivery.id));
  if (!delivered)
    deps.log.warn({ webhook: subscription.id, event: delivery.eventType, attempts, error }, 'webhook delivery failed');
}
