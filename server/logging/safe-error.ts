/**
 * What of an error may go into a log line. Error messages are not safe by default: drizzle's
 * "Failed query: ... params: ..." carries the query's values (message text, addresses), and
 * PostgreSQL's own messages quote offending values ('invalid input syntax for type uuid: "..."').
 * So database errors are logged by class and SQLSTATE only, and other messages are cut short. The
 * stack keeps its frames only.
 */
export type SafeError = { type: string; code?: string; message: string; stack: string };

const SQLSTATE = /^[0-9A-Z]{5}$/;
const MAX_MESSAGE = 200;

function sqlState(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    if (typeof e.code === 'string' && SQLSTATE.test(e.code)) return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

function isDatabaseError(err: unknown, message: string): boolean {
  return (
    message.startsWith('Failed query') ||
    sqlState(err) !== undefined ||
    (err as { name?: string }).name === 'PostgresError'
  );
}

export function safeError(err: unknown): SafeError {
  if (err === null || typeof err !== 'object') return { type: typeof err, message: '', stack: '' };
  const e = err as { name?: unknown; type?: unknown; message?: unknown; stack?: unknown; code?: unknown };
  const type = typeof e.name === 'string' ? e.name : typeof e.type === 'string' ? e.type : 'Error';
  const message = typeof e.message === 'string' ? e.message : '';
  const code = sqlState(err) ?? (typeof e.code === 'string' && e.code.length <= 40 ? e.code : undefined);
  // Only the frames: the lines before them repeat the message, which may span several lines.
  const stack =
    typeof e.stack === 'string'
      ? e.stack
          .split('\n')
          .filter((line) => /^\s+at /.test(line))
          .join('\n')
      : '';
  if (isDatabaseError(err, message))
    return { type, ...(code ? { code } : {}), message: 'database error (details withheld)', stack };
  return {
    type,
    ...(code ? { code } : {}),
    message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message,
    stack,
  };
}
