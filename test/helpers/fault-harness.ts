/**
 * Provider-style delivery for the fault tests: every message is sent until the receiver acknowledges
 * it, with exponential backoff and jitter between attempts (as Twilio, Slack or a mail server retry),
 * and a share of already acknowledged messages is delivered again (providers deliver at least once:
 * an acknowledgement lost on the way back looks like a failure to them).
 *
 * The receiving side is one function, `SendOnce`: send one message once and say whether it was
 * acknowledged. `widgetSender` speaks POST /api/widget/messages; a webhook route (Twilio, Slack)
 * plugs in by writing its own SendOnce that signs and posts the provider's payload.
 */
import { and, eq, sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../../server/db/client.ts';
import { messages } from '../../drizzle/schema/index.ts';
import { openMessageTexts } from '../../server/domain/message-text.ts';
import { createDataKeys } from '../../server/security/data-keys.ts';
import { createFileKeyStore, keyStorePath } from '../../server/security/key-store.ts';
import { staticKeyProvider } from '../../server/security/keys.ts';
import { ENCRYPTION_KEY } from './processes.ts';
import { widgetNotice } from './notice.ts';

export type Delivery = {
  /** 0 .. count-1: the message's identity for the test. */
  seq: number;
  /** 0 for the first try, then 1, 2, ... (a sender may route a retry elsewhere, as a load balancer would). */
  attempt: number;
};

/** Sends one message once. Resolves true only when the receiver acknowledged it (stored); never throws. */
export type SendOnce = (delivery: Delivery) => Promise<boolean>;

export type StreamOptions = {
  count: number;
  send: SendOnce;
  /** Messages in flight at once (the provider's parallel webhook calls). */
  concurrency?: number;
  /** Share of acknowledged messages delivered once more. */
  redeliverShare?: number;
  backoff?: { baseMs: number; maxMs: number };
  /** Gives up after this long (a message never acknowledged shows up in `unacknowledged`). */
  deadlineMs?: number;
  /** Called after every acknowledgement with the messages acknowledged so far (fault injection hooks in here). */
  onAck?: (acked: ReadonlySet<number>) => void;
};

export type StreamResult = {
  acked: Set<number>;
  unacknowledged: number[];
  attempts: number;
  failedAttempts: number;
  redelivered: number;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function streamWithRetries(options: StreamOptions): Promise<StreamResult> {
  const {
    count,
    send,
    concurrency = 32,
    redeliverShare = 0.02,
    backoff = { baseMs: 50, maxMs: 2_000 },
    deadlineMs = 120_000,
    onAck,
  } = options;
  const deadline = Date.now() + deadlineMs;
  const acked = new Set<number>();
  const result: StreamResult = { acked, unacknowledged: [], attempts: 0, failedAttempts: 0, redelivered: 0 };
  // A deterministic choice of which messages are delivered twice, spread over the run.
  const redeliver = (seq: number) => ((seq * 2654435761) >>> 0) / 2 ** 32 < redeliverShare;

  const deliver = async (seq: number) => {
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      result.attempts++;
      if (await send({ seq, attempt })) {
        acked.add(seq);
        onAck?.(acked);
        if (redeliver(seq)) {
          result.redelivered++;
          result.attempts++;
          await send({ seq, attempt: attempt + 1 });
        }
        return;
      }
      result.failedAttempts++;
      const delay = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempt, 10));
      await sleep(delay / 2 + Math.random() * (delay / 2));
    }
    result.unacknowledged.push(seq);
  };

  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await deliver(next++);
    }),
  );
  return result;
}

export type WidgetVisitor = { token: string; visitorId: string };

/** The text and client id of message `seq`: the test checks the stored rows against these. */
export const faultMessage = (seq: number) => ({
  clientId: `fault-${String(seq).padStart(6, '0')}`,
  text: `fault message #${seq}`,
});

/**
 * Delivers through POST /api/widget/messages (clientId = idempotency key). Message `seq` belongs to
 * visitor `seq % visitors.length`; attempt n goes to backend (seq + n) % backends.length, so retries
 * reach a live server while one is down, as behind a load balancer with health checks.
 */
export function widgetSender(
  backends: string[],
  visitors: WidgetVisitor[],
  addressOf: (visitor: number) => string,
): SendOnce {
  return async ({ seq, attempt }) => {
    const v = seq % visitors.length;
    const visitor = visitors[v]!;
    const url = backends[(seq + attempt) % backends.length]!;
    try {
      const res = await fetch(`${url}/api/widget/messages`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${visitor.token}`,
          'x-forwarded-for': addressOf(v),
        },
        body: JSON.stringify(faultMessage(seq)),
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      return res.status === 201;
    } catch {
      return false; // refused, reset or timed out: the provider will try again
    }
  };
}

/** A distinct client address per visitor from the benchmarking range 198.18.0.0/15 (RFC 2544). */
export const visitorAddress = (i: number) => `198.${18 + ((i >> 16) & 1)}.${(i >> 8) & 255}.${i & 255}`;

/** Opens `n` visitor sessions (the notice accepted) through `base`, each from its own address. */
export async function openVisitors(base: string, inboxId: string, n: number): Promise<WidgetVisitor[]> {
  const visitors: WidgetVisitor[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < n) {
        const i = next++;
        const res = await fetch(`${base}/api/widget/sessions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': visitorAddress(i) },
          body: JSON.stringify({
            inboxId,
            ...(await widgetNotice(base, inboxId)),
            consents: { support: true, analytics: false },
          }),
        });
        const body = (await res.json()) as { token: string; visitorId: string };
        if (res.status !== 201) throw new Error(`visitor session failed: ${res.status}`);
        visitors[i] = body;
      }
    }),
  );
  return visitors;
}

/**
 * Delivers message `seq` as Twilio would: a signed, form-encoded inbound-SMS webhook (MessageSid =
 * idempotency key) from sender `seq % senders`. The signature covers PUBLIC_URL + path, which every
 * server behind the proxy shares, so a retry signed once is valid on any of them. Attempt n goes to
 * backend (seq + n) % backends.length; requests come from a few provider addresses (X-Forwarded-For).
 */
export function twilioSmsSender(options: {
  backends: string[];
  publicUrl: string;
  inboxId: string;
  accountSid: string;
  authToken: string;
  to: string;
  senders: number;
  sign: (authToken: string, url: string, params: Record<string, string>) => string;
}): SendOnce {
  const path = `/api/twilio/${options.inboxId}/sms`;
  return async ({ seq, attempt }) => {
    const params = {
      MessageSid: `SM${seq.toString(16).padStart(32, '0')}`,
      AccountSid: options.accountSid,
      From: `+1555${String(2_000_000 + (seq % options.senders)).padStart(7, '0')}`,
      To: options.to,
      Body: faultMessage(seq).text,
      NumSegments: '1',
    };
    const signature = options.sign(options.authToken, `${options.publicUrl}${path}`, params);
    try {
      const res = await fetch(`${options.backends[(seq + attempt) % options.backends.length]}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signature,
          'x-forwarded-for': visitorAddress(seq % 16),
        },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      return res.status === 200;
    } catch {
      return false;
    }
  };
}

/**
 * The kill -9 scenario of the fault tests: streams `count` messages through `send` with retries and
 * redeliveries; once 30 % are acknowledged, `victim` is killed with SIGKILL (requests in flight) and
 * started again two seconds later. `killedAt` is how many were acknowledged when it died (-1: never).
 */
export async function streamThroughACrash(
  count: number,
  send: SendOnce,
  victim: { kill(signal: 'SIGKILL'): Promise<void>; start(): Promise<void> },
) {
  let killedAt = -1;
  let restart: Promise<void> | undefined;
  const result = await streamWithRetries({
    count,
    send,
    concurrency: 48,
    redeliverShare: 0.03,
    deadlineMs: 200_000,
    onAck: (acked) => {
      if (killedAt < 0 && acked.size >= count * 0.3) {
        killedAt = acked.size;
        restart = victim
          .kill('SIGKILL')
          .then(() => new Promise((r) => setTimeout(r, 2_000)))
          .then(() => victim.start());
      }
    },
  });
  await restart;
  return { ...result, killedAt };
}

/**
 * What the fault tests check in the database: which of messages 0..count-1 are not stored exactly once on
 * `channel`. The text is stored sealed (issue 22): it is opened with the key store of the servers' DATA_DIR
 * (one for all of them, as deployed servers share it) and ServerProcess's master key.
 */
export async function storedOnce(db: Db, dataDir: string, channel: 'chat' | 'sms', count: number) {
  const keys = createDataKeys(
    staticKeyProvider([Buffer.from(ENCRYPTION_KEY, 'base64')], 'test key'),
    createFileKeyStore(keyStorePath(dataDir)),
  );
  const rows = await db
    .select()
    .from(messages)
    .where(and(eq(messages.channel, channel), eq(messages.direction, 'inbound')));
  const stored = new Map<string, number>();
  for (const { body } of await openMessageTexts(keys, rows)) stored.set(body, (stored.get(body) ?? 0) + 1);
  const missing: number[] = [];
  for (let seq = 0; seq < count; seq++) if (stored.get(faultMessage(seq).text) !== 1) missing.push(seq);
  const [{ n: conversations } = { n: 0 }] = rowsOf<{ n: number }>(
    await db.execute(sql`select count(*)::int as n from conversations`),
  );
  return { missing, distinctBodies: stored.size, conversations };
}
