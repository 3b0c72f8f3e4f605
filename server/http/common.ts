import { Type, type TSchema } from 'typebox';
import { ErrorView } from './views.ts';
import { badRequest } from '../domain/errors.ts';

export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** Error responses documented on every route; the body is always { code, message, requestId }. */
export const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, ErrorView]));

/** Opaque keyset cursors: base64url of the sort key, never an offset. */
export const encodeCursor = (...parts: Array<string | number>) => Buffer.from(parts.join('|')).toString('base64url');
export function decodeCursor(cursor: string, arity: number): string[] {
  const parts = Buffer.from(cursor, 'base64url').toString().split('|');
  if (parts.length !== arity || parts.some((p) => p === '')) throw badRequest('bad_cursor', 'Invalid cursor');
  return parts;
}

export const MessageText = Type.String({ minLength: 1, description: 'Plain text; over the size limit answers 413' });

type MediaSchema = TSchema | { type: string; format?: string; description?: string };

/**
 * A response whose body is not JSON (a file, a page, CSV, TwiML), declared with its real media types. Fastify
 * serializes only JSON bodies, so these schemas document what is sent; they never reshape it.
 */
export const media = (description: string, types: Record<string, MediaSchema>) => ({
  description,
  content: Object.fromEntries(Object.entries(types).map(([type, schema]) => [type, { schema }])),
});

const Binary = { type: 'string', format: 'binary' };

/** A file download in any of `types` (e.g. the sniffed inert types of server/http/downloads.ts). */
export const download = (description: string, ...types: string[]) =>
  media(description, Object.fromEntries(types.map((type) => [type, Binary])));
