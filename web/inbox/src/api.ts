import { t } from './lib/i18n.svelte.ts';
import type { ErrorView } from './types.ts';
import { INBOX_ERROR_CODES } from '../../i18n/inbox-catalog.ts';
import { describeWithParams, type ErrorParams } from './lib/error-params.ts';

/** Every failed request becomes an ApiError carrying the server's { code, message, params, requestId }. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null = null,
    readonly params?: ErrorParams,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

type Query = Record<string, string | number | null | undefined>;

function isErrorView(value: unknown): value is ErrorView {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ErrorView).code === 'string' &&
    typeof (value as ErrorView).message === 'string'
  );
}

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * A small JSON client for the inbox API: same-origin cookie session, and the CSRF token on every
 * request that can change something.
 */
export class ApiClient {
  csrfToken: string | null = null;
  /** Called when a request outside /api/auth/ answers 401: the session ended elsewhere. */
  onUnauthorized: (() => void) | null = null;

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', withQuery(path, query));
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  /**
   * Fetches a file (e.g. a data export) as a Blob, with the filename the server suggests. Errors arrive as
   * the usual JSON error shape before any byte of the file, so they become ApiErrors like everywhere else.
   */
  async download(path: string, fallbackName: string): Promise<{ blob: Blob; filename: string }> {
    let response: Response;
    try {
      response = await fetch(path, { credentials: 'same-origin' });
    } catch {
      throw new ApiError(0, 'network', t('errors.network'));
    }
    if (!response.ok) {
      const payload: unknown = await response.json().catch(() => undefined);
      if (response.status === 401) this.onUnauthorized?.();
      throw isErrorView(payload)
        ? new ApiError(response.status, payload.code, payload.message, payload.requestId ?? null, payload.params)
        : new ApiError(response.status, `http_${response.status}`, t('errors.http', { status: response.status }));
    }
    let blob: Blob;
    try {
      blob = await response.blob();
    } catch {
      throw new ApiError(0, 'network', t('errors.downloadInterrupted'));
    }
    return { blob, filename: filenameFrom(response.headers.get('content-disposition')) ?? fallbackName };
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (method !== 'GET' && method !== 'HEAD' && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    // No content-type without a body: Fastify rejects an empty body declared as JSON.
    if (body !== undefined) headers['content-type'] = 'application/json';

    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
      });
    } catch {
      throw new ApiError(0, 'network', t('errors.network'));
    }

    if (response.status === 204) return undefined as T;
    const payload: unknown = await response.json().catch(() => undefined);

    if (!response.ok) {
      const error = isErrorView(payload)
        ? new ApiError(response.status, payload.code, payload.message, payload.requestId ?? null, payload.params)
        : new ApiError(response.status, `http_${response.status}`, t('errors.http', { status: response.status }));
      if (response.status === 401 && !path.startsWith('/api/auth/')) this.onUnauthorized?.();
      throw error;
    }
    return payload as T;
  }
}

/** The filename of a Content-Disposition header (RFC 6266: filename* wins over filename). */
function filenameFrom(header: string | null): string | null {
  if (!header) return null;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (extended?.[1]) {
    try {
      return safeName(decodeURIComponent(extended[1].trim()));
    } catch {
      // Malformed escape: fall back to the plain parameter.
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/.exec(header);
  const value = plain?.[2] ?? plain?.[1];
  return value ? safeName(value.trim()) : null;
}

function safeName(name: string): string | null {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what a filename must not keep
  const cleaned = name.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').trim();
  return cleaned ? cleaned : null;
}

/** A sentence an agent can act on, for toasts and inline errors. */
export function describeError(err: unknown, fallback = t('errors.generic')): string {
  if (!isApiError(err)) return fallback;
  const detailed = describeWithParams(err.code, err.params);
  if (detailed) return detailed;
  switch (err.code) {
    case 'network':
      return err.message;
    case 'csrf':
      return t('errors.csrf');
    case 'message_too_large':
      return t('errors.tooLong');
    case 'rate_limited':
      return t('errors.rateLimited');
    case 'legal_hold':
      return t('errors.legalHold');
  }
  // The server's message is English: a code the catalog knows is said in the agent's language.
  if (INBOX_ERROR_CODES.has(err.code)) return t(`inbox-errors:code.${err.code}`);
  if (err.status === 403) return t('errors.forbidden');
  if (err.status === 404) return t('errors.notFound');
  if (err.status >= 500) return t('errors.server');
  return err.message || fallback;
}
