import { i18n } from '../state/i18n.svelte.ts';
import type { Locale } from '../../../../i18n/index.ts';
import type { RatingStateView } from '../../../../../server/http/views/analytics.ts';
import type {
  VisitorConsentPurpose,
  VisitorConsentView,
  VisitorFilesRequest,
  VisitorHistoryView,
  VisitorMessageResult,
  VisitorSendRequest,
  VisitorSessionRequest,
  VisitorSessionView,
  WidgetConfigView,
} from '../../../../../server/http/views/widget.ts';

// The server's response schemas (server/http/views/widget.ts, analytics.ts), type-only: nothing is bundled.
/** GET /api/widget/config: what the widget shows before the visitor has agreed to anything. */
export type WidgetConfig = WidgetConfigView;
/** One purpose as GET/POST /api/widget/consent report it: the latest event in the ledger for this visitor. */
export type ConsentPurposeState = VisitorConsentPurpose;
export type ConsentStates = VisitorConsentView;
export type RatingState = RatingStateView;
export type SessionRequest = VisitorSessionRequest;

/** A failed call, carrying the server's `{ code, message }` (or a network/timeout code of our own). */
export type ErrorParams = Record<string, string | number | string[]>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The values the server's error names (ErrorView.params), for wording the code in the visitor's language. */
    readonly params?: ErrorParams,
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
/** An export is built and streamed on request (messages, files): allow it far longer than a JSON call. */
const EXPORT_TIMEOUT_MS = 180_000;

type CallOptions = { method?: string; body?: unknown; token?: string; accept?: string; timeoutMs?: number };

async function send(path: string, init: CallOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: init.accept ?? 'application/json' };
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
      signal: AbortSignal.timeout(init.timeoutMs ?? TIMEOUT_MS),
    });
  } catch (error) {
    throw networkError(error);
  }
  if (!response.ok) {
    const error = ((await response.json().catch(() => null)) ?? {}) as {
      code?: unknown;
      message?: unknown;
      params?: unknown;
    };
    throw new ApiError(
      response.status,
      typeof error.code === 'string' ? error.code : `http_${response.status}`,
      typeof error.message === 'string' ? error.message : i18n.t('app.requestFailed', { status: response.status }),
      typeof error.params === 'object' && error.params !== null ? (error.params as ErrorParams) : undefined,
    );
  }
  return response;
}

function networkError(error: unknown): ApiError {
  const timeout = error instanceof DOMException && error.name === 'TimeoutError';
  return new ApiError(0, timeout ? 'timeout' : 'network', i18n.t(timeout ? 'app.tooSlow' : 'app.noConnection'));
}

async function request<T>(path: string, init: CallOptions = {}): Promise<T> {
  const response = await send(path, init);
  const data: unknown = response.status === 204 ? null : await response.json().catch(() => null);
  return data as T;
}

/** A binary answer (the export archive), read completely into memory. */
async function requestBlob(path: string, init: CallOptions = {}): Promise<Blob> {
  const response = await send(path, init);
  try {
    return await response.blob();
  } catch (error) {
    // The stream broke off (connection lost, or the timeout fired while the body was still arriving).
    throw networkError(error);
  }
}

/** POST /api/widget/privacy/copy: a download link valid for days, carrying a random token only. */
export type CopyLink = { requestId: string; url: string; expiresAt: string };
/** POST /api/widget/privacy/correction: what changed at once, and what waits for a code. */
export type CorrectionResult = {
  requestId: string;
  applied: 'name'[];
  pending: { id: string; field: 'email' | 'phone' }[];
};
export type CorrectionInput = { name?: string; email?: string; phone?: string };

export const widgetApi = {
  config: (inboxId: string, locale: Locale) =>
    request<WidgetConfig>(`/api/widget/config?inbox=${encodeURIComponent(inboxId)}&locale=${locale}`),
  createSession: (body: SessionRequest) =>
    request<VisitorSessionView>('/api/widget/sessions', { method: 'POST', body }),
  history: (token: string) => request<VisitorHistoryView>('/api/widget/messages', { token }),
  send: (token: string, body: VisitorSendRequest) =>
    request<VisitorMessageResult>('/api/widget/messages', { method: 'POST', body, token }),
  /** A message with files (base64); allowed longer than a JSON call, the files may be several MB. */
  sendFiles: (token: string, body: VisitorFilesRequest) =>
    request<VisitorMessageResult>('/api/widget/files', { method: 'POST', body, token, timeoutMs: EXPORT_TIMEOUT_MS }),
  consent: (token: string, locale: Locale) => request<ConsentStates>(`/api/widget/consent?locale=${locale}`, { token }),
  /**
   * Records a consent change. Only 'analytics' can be switched freely; withdrawing 'support' ends the session
   * (200, and the token stops working).
   */
  setConsent: (
    token: string,
    body: ({ purpose: 'analytics'; granted: boolean } | { purpose: 'support'; granted: false }) & { language?: Locale },
  ) => request<ConsentStates>('/api/widget/consent', { method: 'POST', body, token }),
  /** The conversation's status and the visitor's rating of it (asked once it is resolved). */
  rating: (token: string) => request<RatingState>('/api/widget/rating', { token }),
  rate: (token: string, score: number) =>
    request<RatingState>('/api/widget/rating', { method: 'POST', body: { score }, token }),
  /** The visitor's own data as a zip (the same archive agents get for an access request). */
  exportData: (token: string) =>
    requestBlob('/api/widget/export', {
      token,
      accept: 'application/zip, application/json',
      timeoutMs: EXPORT_TIMEOUT_MS,
    }),
  /** Self-service requests (an access, rectification or erasure request on the desk), in the widget's language. */
  copyLink: (token: string, locale: Locale) =>
    request<CopyLink>(`/api/widget/privacy/copy?language=${locale}`, { method: 'POST', body: {}, token }),
  correct: (token: string, locale: Locale, body: CorrectionInput) =>
    request<CorrectionResult>(`/api/widget/privacy/correction?language=${locale}`, { method: 'POST', body, token }),
  confirmCorrection: (token: string, id: string, code: string) =>
    request<{ applied: 'email' | 'phone' }>(`/api/widget/privacy/correction/${encodeURIComponent(id)}/confirm`, {
      method: 'POST',
      body: { code },
      token,
    }),
  requestErasure: (token: string, locale: Locale) =>
    request<{ id: string; dueAt: string; answeredVia: 'email' | 'sms' | 'slack' | null }>(
      `/api/widget/privacy/erasure?language=${locale}`,
      { method: 'POST', body: {}, token },
    ),
};
