import { Type } from 'typebox';
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
