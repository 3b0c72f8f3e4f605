import { ImapFlow, type FetchMessageObject } from 'imapflow';
import { sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { releaseLease, tryAcquireLease, type Db } from '../../server/channel-port.ts';
import { emailMailboxes } from '../../drizzle/schema/index.ts';
import type { EmailSettings } from './settings.ts';

export type MailboxWorkerOptions = {
  /** A mailbox's lease lives this long without renewal: how soon another server takes over a dead holder's mailbox. */
  leaseTtlMs: number;
  /** Reconnect backoff: doubles from the first delay up to the last. */
  backoffMs: { initial: number; max: number };
  /** Safety net under IDLE: look for new mail at least this often even if the server sent no EXISTS. */
  pollMs: number;
  /** Messages fetched per FETCH command. */
  batchSize: number;
  /** Larger messages are read only up to this many bytes (headers and the start of the body). */
  maxMessageBytes: number;
};

export type WorkerState = 'waiting_for_lease' | 'connecting' | 'syncing' | 'idle' | 'reconnecting' | 'stopped';

/**
 * What the channel does with one raw mail, in two steps: prepare (parse: no database, so the next
 * mail's runs while this one commits) and the commit it returns (thread, ingest), resolved after commit.
 */
export type MailHandler = (
  raw: Buffer,
  context: { uid: number; size: number; truncated: boolean },
) => Promise<() => Promise<void>>;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/**
 * Reads one IMAP mailbox into the inbox, exactly once per message:
 * - a lease per mailbox (server/db/leases.ts) makes exactly one server process read it; a holder that
 *   dies stops renewing and another process takes over when the lease expires;
 * - the checkpoint (UIDVALIDITY, last UID) is advanced after each message's ingest committed, so a
 *   dropped connection or a restart re-reads at most the message in flight, whose replay is a no-op;
 * - new mail arrives through IDLE (imapflow's auto-IDLE and its EXISTS event), with a slow poll as a
 *   safety net; a dropped connection reconnects with exponential backoff.
 */
export class MailboxWorker {
  state: WorkerState = 'stopped';
  lastError: string | null = null;
  private readonly abort = new AbortController();
  private client: ImapFlow | null = null;
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly leaseName: string;

  constructor(
    readonly inboxId: string,
    readonly settings: EmailSettings,
    private readonly db: Db,
    private readonly handle: MailHandler,
    private readonly log: FastifyBaseLogger,
    private readonly options: MailboxWorkerOptions,
    private readonly holder: string,
  ) {
    this.leaseName = `email:imap:${inboxId}:${settings.imap.mailbox}`;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Stops reading and gives the mailbox up at once (a clean shutdown; a crash just stops renewing). */
  async stop(): Promise<void> {
    this.abort.abort();
    this.wake?.();
    this.client?.close();
    await this.running;
    await releaseLease(this.db, this.leaseName, this.holder).catch(() => {});
    this.state = 'stopped';
  }

  private async loop(): Promise<void> {
    let failures = 0;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      let held = false;
      try {
        held = await tryAcquireLease(this.db, this.leaseName, this.options.leaseTtlMs, this.holder);
      } catch (err) {
        this.lastError = describe(err);
      }
      if (!held) {
        this.state = 'waiting_for_lease';
        await sleep(Math.max(250, this.options.leaseTtlMs / 3), signal);
        continue;
      }
      const connectedAt = Date.now();
      let failure: { type: string; code?: string } = { type: 'closed' };
      try {
        await this.session(signal);
      } catch (err) {
        this.lastError = describe(err);
        failure = { type: (err as Error).name, code: (err as { code?: string }).code };
      }
      if (signal.aborted) break;
      this.log.warn({ inboxId: this.inboxId, err: failure }, 'imap session ended');
      // A session that lasted a while was healthy: start the backoff over.
      failures = Date.now() - connectedAt > 60_000 ? 1 : failures + 1;
      this.state = 'reconnecting';
      await sleep(Math.min(this.options.backoffMs.max, this.options.backoffMs.initial * 2 ** (failures - 1)), signal);
    }
  }

  private async session(signal: AbortSignal): Promise<void> {
    this.state = 'connecting';
    const { imap } = this.settings;
    const client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: imap.secure,
      // STARTTLS is required (the session fails before LOGIN without it) unless an admin allowed plaintext.
      doSTARTTLS: imap.secure || imap.allowPlaintext ? undefined : true,
      tls: imap.ca ? { ca: imap.ca } : undefined,
      auth: { user: imap.user, pass: imap.password },
      logger: false,
      autoIdleDelay: 1_000,
      maxIdleTime: 5 * 60_000,
      connectionTimeout: 30_000,
      greetingTimeout: 15_000,
    });
    this.client = client;
    let pending = true;
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.on('error', (err: Error) => {
      this.lastError = describe(err);
    });
    client.on('exists', () => {
      pending = true;
      this.wake?.();
    });
    // Renew the lease well before it expires; losing it (another process took over after we stalled) ends the session.
    const renew = setInterval(
      () => {
        tryAcquireLease(this.db, this.leaseName, this.options.leaseTtlMs, this.holder).then(
          (ok) => {
            if (!ok) {
              this.log.warn({ inboxId: this.inboxId }, 'imap mailbox lease lost');
              client.close();
            }
          },
          () => {},
        );
      },
      Math.max(200, this.options.leaseTtlMs / 3),
    );
    try {
      await client.connect();
      if (signal.aborted) return;
      const mailbox = await client.mailboxOpen(imap.mailbox);
      const uidValidity = Number(mailbox.uidValidity);
      let lastUid = await this.checkpoint(uidValidity);
      this.lastError = null;
      while (!signal.aborted && client.usable) {
        if (pending) {
          pending = false;
          this.state = 'syncing';
          lastUid = await this.sync(client, uidValidity, lastUid, signal);
        }
        this.state = 'idle';
        if (pending) continue;
        const woken = new Promise<void>((resolve) => (this.wake = resolve));
        await Promise.race([woken, closed, sleep(this.options.pollMs, signal).then(() => (pending = true))]);
        this.wake = null;
      }
    } finally {
      clearInterval(renew);
      this.client = null;
      client.close();
    }
  }

  /** The stored last UID for this UIDVALIDITY; a new UIDVALIDITY (the mailbox was renumbered) starts over at 0. */
  private async checkpoint(uidValidity: number): Promise<number> {
    const rows = await this.db
      .insert(emailMailboxes)
      .values({ inboxId: this.inboxId, mailbox: this.settings.imap.mailbox, uidValidity, lastUid: 0 })
      .onConflictDoUpdate({
        target: [emailMailboxes.inboxId, emailMailboxes.mailbox],
        set: {
          uidValidity,
          lastUid: sql`case when ${emailMailboxes.uidValidity} = ${uidValidity}
            then ${emailMailboxes.lastUid} else 0 end`,
          updatedAt: new Date(),
        },
      })
      .returning({ lastUid: emailMailboxes.lastUid });
    return rows[0]!.lastUid;
  }

  /** Never moves backwards: a slower process that lost the lease mid-message cannot undo a newer checkpoint. */
  private async advance(uidValidity: number, uid: number): Promise<void> {
    await this.db.execute(sql`
      update ${emailMailboxes} set last_uid = greatest(last_uid, ${uid}), updated_at = now()
      where inbox_id = ${this.inboxId} and mailbox = ${this.settings.imap.mailbox} and uid_validity = ${uidValidity}`);
  }

  private async sync(client: ImapFlow, uidValidity: number, lastUid: number, signal: AbortSignal): Promise<number> {
    // "n:*" always matches the highest UID even when it is below n (RFC 3501 6.4.8), hence the filter.
    const found = await client.search({ uid: `${lastUid + 1}:*` }, { uid: true });
    const uids = (found || []).filter((u) => u > lastUid).sort((a, b) => a - b);
    for (let i = 0; i < uids.length && !signal.aborted; i += this.options.batchSize) {
      const batch = uids.slice(i, i + this.options.batchSize);
      const sizes = new Map<number, number>();
      for await (const m of client.fetch(batch, { uid: true, size: true }, { uid: true }))
        sizes.set(m.uid, m.size ?? 0);
      const small = batch.filter((u) => (sizes.get(u) ?? 0) <= this.options.maxMessageBytes);
      const large = batch.filter((u) => (sizes.get(u) ?? 0) > this.options.maxMessageBytes);
      const messages = new Map<number, { raw: Buffer; truncated: boolean }>();
      if (small.length) {
        for await (const m of client.fetch(small, { uid: true, source: true }, { uid: true })) {
          messages.set(m.uid, { raw: sourceOf(m), truncated: false });
        }
      }
      for (const uid of large) {
        const m = await client.fetchOne(
          String(uid),
          { uid: true, source: { start: 0, maxLength: this.options.maxMessageBytes } },
          { uid: true },
        );
        if (m) messages.set(uid, { raw: sourceOf(m), truncated: true });
      }
      const done: number[] = [];
      const present = batch.filter((u) => messages.has(u)); // others were expunged between SEARCH and FETCH
      const prepare = (uid: number) => {
        const m = messages.get(uid)!;
        const prepared = this.handle(m.raw, { uid, size: sizes.get(uid) ?? m.raw.length, truncated: m.truncated });
        prepared.catch(() => {}); // awaited below; a rejection must not count as unhandled meanwhile
        return prepared;
      };
      let next = present.length ? prepare(present[0]!) : null;
      for (let k = 0; k < present.length && !signal.aborted; k++) {
        const commit = await next!;
        next = k + 1 < present.length ? prepare(present[k + 1]!) : null;
        await commit();
        await this.advance(uidValidity, present[k]!);
        lastUid = present[k]!;
        done.push(present[k]!);
      }
      if (done.length && this.settings.markSeen) await client.messageFlagsAdd(done, ['\\Seen'], { uid: true });
      if (done.length && this.settings.deleteAfterIngest) await client.messageDelete(done, { uid: true });
    }
    return lastUid;
  }
}

function sourceOf(m: FetchMessageObject): Buffer {
  return m.source ?? Buffer.alloc(0);
}

function describe(err: unknown): string {
  const e = err as { code?: string; responseText?: string; message?: string };
  return (e.code ? `${e.code}: ` : '') + (e.responseText ?? e.message ?? 'unknown error').slice(0, 200);
}
