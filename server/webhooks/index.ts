import type { DomainEventBus } from '../domain/events.ts';
import { every } from '../jobs/runner.ts';
import { deliverDueWebhooks, enqueueWebhookEvent, type WebhookDeps } from './deliveries.ts';
import { webhookEventsFrom } from './events.ts';

const SWEEP_INTERVAL_MS = 5_000;

/**
 * Outgoing webhooks at work: every domain event a subscription wants becomes a delivery row, sent at once by a
 * sweep of this server; the periodic sweep sends retries when they fall due and whatever another server or an
 * earlier run of this one left. Deadlines live in the database, so a restart keeps them.
 */
export function startWebhookDelivery(deps: WebhookDeps, bus: DomainEventBus) {
  const inFlight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };
  const failed = (err: unknown) => deps.log.error({ err }, 'webhook delivery failed');
  let sweeping: Promise<unknown> = Promise.resolve();
  let queued = false;
  const sweepSoon = () => {
    if (queued) return;
    queued = true;
    sweeping = sweeping.then(() => {
      queued = false;
      return deliverDueWebhooks(deps).catch(failed);
    });
    track(sweeping);
  };
  // One insert after the other, in publication order: the sweep sends in the order rows were recorded.
  let recording: Promise<unknown> = Promise.resolve();
  const unsubscribe = webhookEventsFrom(bus, deps.clock, (event) => {
    recording = recording.then(() =>
      enqueueWebhookEvent(deps.db, event).then((n) => {
        if (n > 0) sweepSoon();
      }, failed),
    );
    track(recording);
  });
  const stopSweeps = every('webhook-delivery', SWEEP_INTERVAL_MS, deps.log, () => deliverDueWebhooks(deps));
  return {
    /** Stops taking events and sweeping, and waits for what is under way (the database closes after this). */
    async stop() {
      unsubscribe();
      stopSweeps();
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    /** Resolves once the events recorded so far have had their first attempt (tests wait on this). */
    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
export type WebhookDelivery = ReturnType<typeof startWebhookDelivery>;
