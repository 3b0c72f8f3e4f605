import { describeError, type ApiClient } from '../api.ts';
import type { AgentCreateRequest, AgentList, AgentResult, AgentRole, AgentUpdateRequest, AgentView } from '../types.ts';
import { ta } from '../lib/admin-i18n.ts';
import type { Toasts } from './toasts.svelte.ts';

export type NewAgent = AgentCreateRequest;
export type AgentPatch = AgentUpdateRequest;

const byName = (a: AgentView, b: AgentView) => a.name.localeCompare(b.name) || a.email.localeCompare(b.email);

/** The agent directory: feeds the assign dropdown for everyone and the Agents page for admins. */
export class AgentDirectory {
  items = $state<AgentView[]>([]);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);
  creating = $state(false);
  createError = $state<string | null>(null);
  /** Agent ids with a change in flight (their row controls are disabled meanwhile). */
  busy = $state<Record<string, boolean>>({});

  /** Who a conversation can be assigned to. */
  assignable = $derived(this.items.filter((a) => !a.disabled));

  readonly #api: ApiClient;
  readonly #toasts: Toasts;
  readonly #onChanged: (agent: AgentView) => void;

  constructor(api: ApiClient, toasts: Toasts, onChanged: (agent: AgentView) => void) {
    this.#api = api;
    this.#toasts = toasts;
    this.#onChanged = onChanged;
  }

  byId(id: string): AgentView | undefined {
    return this.items.find((a) => a.id === id);
  }

  async load(): Promise<void> {
    if (this.status !== 'ready') this.status = 'loading';
    try {
      const { items } = await this.#api.get<AgentList>('/api/agents');
      this.items = [...items].sort(byName);
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      if (this.status !== 'ready') this.status = 'error';
      this.error = describeError(err, ta('agentErrors.load'));
    }
  }

  async create(input: NewAgent): Promise<boolean> {
    if (this.creating) return false;
    this.creating = true;
    this.createError = null;
    try {
      const { agent } = await this.#api.post<AgentResult>('/api/agents', {
        ...input,
        email: input.email.trim(),
        name: input.name.trim(),
      });
      this.items = [...this.items.filter((a) => a.id !== agent.id), agent].sort(byName);
      this.#toasts.success(ta('agentToasts.created', { name: agent.name }));
      return true;
    } catch (err) {
      this.createError = describeError(err, ta('agentErrors.create'));
      return false;
    } finally {
      this.creating = false;
    }
  }

  async update(id: string, patch: AgentPatch, action: string): Promise<boolean> {
    if (this.busy[id]) return false;
    this.busy[id] = true;
    try {
      const { agent } = await this.#api.patch<AgentResult>(`/api/agents/${encodeURIComponent(id)}`, patch);
      this.items = this.items.map((a) => (a.id === agent.id ? agent : a)).sort(byName);
      this.#onChanged(agent);
      return true;
    } catch (err) {
      this.#toasts.error(action, err);
      return false;
    } finally {
      delete this.busy[id];
    }
  }

  /** An admin's one-time password for the agent: returned once to show, never kept. */
  async oneTimePassword(id: string): Promise<string | null> {
    if (this.busy[id]) return null;
    this.busy[id] = true;
    try {
      const { agent, password } = await this.#api.post<{ agent: AgentView; password: string }>(
        `/api/agents/${encodeURIComponent(id)}/one-time-password`,
      );
      this.items = this.items.map((a) => (a.id === agent.id ? agent : a));
      return password;
    } catch (err) {
      this.#toasts.error(ta('agentErrors.otp'), err);
      return null;
    } finally {
      delete this.busy[id];
    }
  }

  /** Invites a colleague: the link, when no email inbox could send it (shown once), or null when it was mailed. */
  async invite(input: Omit<NewAgent, 'password'>): Promise<{ link: string | null } | null> {
    if (this.creating) return null;
    this.creating = true;
    this.createError = null;
    try {
      const result = await this.#api.post<{ agent: AgentView; link: string | null; emailed: boolean }>(
        '/api/agents/invitations',
        { ...input, email: input.email.trim(), name: input.name.trim() },
      );
      this.items = [...this.items.filter((a) => a.id !== result.agent.id), result.agent].sort(byName);
      if (result.emailed) this.#toasts.success(ta('agentToasts.invited', { email: result.agent.email }));
      return { link: result.link };
    } catch (err) {
      this.createError = describeError(err, ta('agentErrors.invite'));
      return null;
    } finally {
      this.creating = false;
    }
  }

  setRole(id: string, role: AgentRole): Promise<boolean> {
    return this.update(id, { role }, ta('agentErrors.role'));
  }

  setDisabled(id: string, disabled: boolean): Promise<boolean> {
    return this.update(id, { disabled }, disabled ? ta('agentErrors.disable') : ta('agentErrors.enable'));
  }

  reset(): void {
    this.items = [];
    this.status = 'idle';
    this.error = null;
    this.createError = null;
    this.busy = {};
  }
}
