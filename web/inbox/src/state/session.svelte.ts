import { ApiError, describeError, isApiError, type ApiClient } from '../api.ts';
import type { AgentView, SessionView } from '../types.ts';
import { i18n, t } from '../lib/i18n.svelte.ts';

export type SessionEvents = {
  signedIn: (agent: AgentView) => void;
  signedOut: () => void;
};

/** Who is signed in. The cookie is httpOnly; the CSRF token lives only in memory (handed to the API client). */
export class Session {
  status = $state<'restoring' | 'anonymous' | 'authenticated'>('restoring');
  agent = $state<AgentView | null>(null);
  loginPending = $state(false);
  loginError = $state<string | null>(null);
  /** Shown on the sign-in screen, e.g. after the session expired. */
  notice = $state<string | null>(null);
  isAdmin = $derived(this.agent?.role === 'admin');
  /** Managers and admins see the analytics dashboard. */
  isManager = $derived(this.agent?.role === 'manager' || this.agent?.role === 'admin');

  readonly #api: ApiClient;
  readonly #events: SessionEvents;

  constructor(api: ApiClient, events: SessionEvents) {
    this.#api = api;
    this.#events = events;
  }

  async restore(): Promise<void> {
    try {
      // /api/auth/session answers null when signed out (no 401 in the console on every load).
      const { session } = await this.#api.get<{ session: SessionView | null }>('/api/auth/session');
      if (session) this.#signIn(session);
      else this.status = 'anonymous';
    } catch (err) {
      this.status = 'anonymous';
      if (isApiError(err) && err.status !== 401) this.notice = describeError(err);
    }
  }

  async login(email: string, password: string): Promise<boolean> {
    if (this.loginPending) return false;
    this.loginPending = true;
    this.loginError = null;
    try {
      this.#signIn(await this.#api.post<SessionView>('/api/auth/login', { email: email.trim(), password }));
      return true;
    } catch (err) {
      this.loginError = loginErrorText(err);
      return false;
    } finally {
      this.loginPending = false;
    }
  }

  /** An invited colleague chose their password: signed in at once. Answers the error text, or null. */
  async acceptInvitation(token: string, password: string): Promise<string | null> {
    this.loginPending = true;
    try {
      this.#signIn(await this.#api.post<SessionView>('/api/auth/invitation', { token, password }));
      return null;
    } catch (err) {
      return describeError(err, t('login.invitationFailed'));
    } finally {
      this.loginPending = false;
    }
  }

  async logout(): Promise<void> {
    try {
      await this.#api.post('/api/auth/logout');
    } catch {
      // Signing out locally is what matters; the server session expires on its own.
    }
    this.#signOut(null);
  }

  /** The server said 401 to a normal request: the session ended (expired, agent disabled, signed out elsewhere). */
  expire(): void {
    if (this.status !== 'authenticated') return;
    this.#signOut(t('login.sessionEnded'));
  }

  /** Asks the server whether the session is still valid (e.g. after the realtime socket was refused). */
  async verify(): Promise<void> {
    if (this.status !== 'authenticated') return;
    try {
      const me = await this.#api.get<SessionView>('/api/auth/me');
      this.agent = me.agent;
      this.#api.csrfToken = me.csrfToken;
    } catch (err) {
      if (isApiError(err) && err.status === 401) this.expire();
    }
  }

  /** Keeps the signed-in agent's own record current when an admin edits it. */
  updateSelf(agent: AgentView): void {
    if (this.agent?.id === agent.id) this.agent = agent;
  }

  #signIn(response: SessionView): void {
    this.#api.csrfToken = response.csrfToken;
    this.agent = response.agent;
    // The agent's language, from the first screen after sign-in on (null: the browser's).
    void i18n.use(response.agent.locale);
    this.status = 'authenticated';
    this.notice = null;
    this.loginError = null;
    this.#events.signedIn(response.agent);
  }

  #signOut(notice: string | null): void {
    this.#api.csrfToken = null;
    this.agent = null;
    this.status = 'anonymous';
    this.notice = notice;
    this.#events.signedOut();
  }
}

function loginErrorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 401) return t('login.wrongPassword');
    if (err.status === 429) return t('login.tooMany');
    if (err.status === 400) return t('login.invalid');
  }
  return describeError(err, t('login.failed'));
}
