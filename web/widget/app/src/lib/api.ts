import type { VisitorMessageView } from '../../../../../server/http/views.ts';

/** GET /api/widget/config: what the widget shows before the visitor has agreed to anything. */
export type WidgetConfig = {
  inbox: { id: string; name: string };
  greeting: string;
  notice: {
    policyVersion: string;
    text: string;
    textHash: string;
    purposes: { purpose: string; required: boolean; label: string }[];
  };
};

export type SessionRequest = {
  inboxId: string;
  policyVersion: string;
  textHash: string;
  consents: { support: true; analytics: boolean };
};

/** A failed call, carrying the server's `{ code, message }` (or a network/timeout code of our own). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The visitor token is missing, expired, revoked or belongs to an erased contact. */
  get unauthorized(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

const TIMEOUT_MS = 15_000;

async function request<T>(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      // The widget never uses cookies: a visitor is identified by the bearer token alone.
      credentials: 'omit',
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const timeout = error instanceof DOMException && error.name === 'TimeoutError';
    throw new ApiError(0, timeout ? 'timeout' : 'network', timeout ? 'The server took too long to answer.' : 'No connection to the server.');
  }
  const data: unknown = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const error = (data ?? {}) as { code?: unknown; message?: unknown };
    throw new ApiError(
      response.status,
      typeof error.code === 'string' ? error.code : `http_${response.status}`,
      typeof error.message === 'string' ? error.message : `Request failed (${response.status}).`,
    );
  }
  return data as T;
}

export const widgetApi = {
  config: (inboxId: string) => request<WidgetConfig>(`/api/widget/config?inbox=${encodeURIComponent(inboxId)}`),
  createSession: (body: SessionRequest) =>
    request<{ token: string; visitorId: string }>('/api/widget/sessions', { method: 'POST', body }),
  history: (token: string) =>
    request<{ conversationId: string | null; messages: VisitorMessageView[] }>('/api/widget/messages', { token }),
  send: (token: string, body: { clientId: string; text: string }) =>
    request<{ message: VisitorMessageView }>('/api/widget/messages', { method: 'POST', body, token }),
};
