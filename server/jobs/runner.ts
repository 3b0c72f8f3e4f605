import type { FastifyBaseLogger } from 'fastify';

/**
 * Runs a sweep periodically. Deadlines live in the database, never in these timers: a restart
 * only delays the next sweep, and sweeps claim work with SKIP LOCKED so servers can overlap.
 */
export function every(name: string, intervalMs: number, log: FastifyBaseLogger, sweep: () => Promise<unknown>) {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      await sweep();
    } catch (err) {
      log.error({ job: name, err }, 'job failed');
    } finally {
      running = false;
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
