import type { FastifyBaseLogger } from 'fastify';

type Next = (err?: Error) => void;

/**
 * socket.io calls middlewares and listeners and drops what they return: a rejected promise (or a throw inside the
 * engine's data callback) would end the whole process. These wrappers catch both, log the error without payloads
 * (the logger's `err` serializer keeps type, code, a short message and frames) and, for a middleware, refuse the
 * handshake with `internal` so the client gets a connect_error instead of waiting.
 */
export function guardMiddleware<S>(
  log: Pick<FastifyBaseLogger, 'error'>,
  namespace: string,
  middleware: (socket: S, next: Next) => void | Promise<void>,
): (socket: S, next: Next) => void {
  return (socket, next) => {
    let answered = false;
    const once: Next = (err) => {
      if (answered) return;
      answered = true;
      next(err);
    };
    const fail = (err: unknown) => {
      log.error({ err, namespace }, 'socket middleware failed');
      once(new Error('internal'));
    };
    try {
      Promise.resolve(middleware(socket, once)).catch(fail);
    } catch (err) {
      fail(err);
    }
  };
}

/** A listener (connection, event handler) whose failure is logged and goes no further. */
export function guardListener<A extends unknown[]>(
  log: Pick<FastifyBaseLogger, 'error'>,
  what: string,
  listener: (...args: A) => void | Promise<void>,
): (...args: A) => void {
  const fail = (err: unknown) => log.error({ err, what }, 'socket listener failed');
  return (...args) => {
    try {
      Promise.resolve(listener(...args)).catch(fail);
    } catch (err) {
      fail(err);
    }
  };
}
