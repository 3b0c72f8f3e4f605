import type { FastifyBaseLogger } from 'fastify';
import { safeError } from './logging/safe-error.ts';

/**
 * A promise rejection nobody handled is logged and survived. Node's default ends the process, which turned one bad
 * socket handshake into an outage for everyone (issue 14). A rejection only abandons the async function it came
 * from (the stack has already unwound, transactions roll back on their own), so the process's state is as sound as
 * before it; ending every other request over it helps no one. Uncaught exceptions keep Node's default (the process
 * ends and the process manager restarts it): a synchronous throw can stop a function half-way through a change of
 * shared state. The reason is logged through safeError (type, code, a short message, frames), never as a value,
 * since a rejected value may be anything, including personal data.
 */
export function surviveUnhandledRejections(log: Pick<FastifyBaseLogger, 'error'>): () => void {
  const onRejection = (reason: unknown) => log.error({ reason: safeError(reason) }, 'unhandled promise rejection');
  process.on('unhandledRejection', onRejection);
  return () => process.off('unhandledRejection', onRejection);
}
