import { expect } from 'vitest';

/**
 * The API's one error shape (server/plugins/errors.ts): code, message and requestId, plus `params` when the
 * message names values (a limit, a wait): an object of them, never anything else.
 */
export function expectErrorShape(body: unknown): void {
  expect(body).toBeTypeOf('object');
  const { params, ...rest } = body as Record<string, unknown>;
  expect(Object.keys(rest).sort()).toEqual(['code', 'message', 'requestId']);
  if (params === undefined) return;
  expect(params).toBeTypeOf('object');
  expect(Array.isArray(params)).toBe(false);
  for (const value of Object.values(params as object))
    expect(['string', 'number'].includes(typeof value) || Array.isArray(value)).toBe(true);
}
