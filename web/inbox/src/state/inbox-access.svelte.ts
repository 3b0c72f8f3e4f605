import { describeError, type ApiClient } from '../api.ts';
import { ta } from '../lib/admin-i18n.ts';
import type { AgentAccessRequest, AgentAccessView, InboxList, InboxView, TeamRequest, TeamView } from '../types.ts';
import type { Toasts } from './toasts.svelte.ts';

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

/**
 * Who sees which inboxes (admins, on the Agents page): the inboxes, the teams (members and inboxes) and every
 * agent's access. A restricted agent sees the inboxes chosen for them and those of their teams.
 */
export class InboxAccess {
  inboxes = $state<Array<{ id: string; name: string; channel: InboxView['channel'] }>>([]);
  teams = $state<TeamView[]>([]);
  access = $state<Record<string, AgentAccessView>>({});
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);
  saving = $state(false);
  saveError = $state<string | null>(null);

  readonly #api: ApiClient;
  readonly #toasts: Toasts;

  constructor(api: ApiClient, toasts: Toasts) {
    this.#api = api;
    this.#toasts = toasts;
  }

  inboxName(id: string): string {
    return this.inboxes.find((i) => i.id === id)?.name ?? ta('accessState.unknownInbox');
  }

  teamName(id: string): string {
    return this.teams.find((t) => t.id === id)?.name ?? ta('accessState.unknownTeam');
  }

  async load(): Promise<void> {
    if (this.status !== 'ready') this.status = 'loading';
    try {
      const [inboxes, teams, access] = await Promise.all([
        this.#api.get<InboxList>('/api/inboxes'),
        this.#api.get<{ items: TeamView[] }>('/api/teams'),
        this.#api.get<{ items: AgentAccessView[] }>('/api/agents/access'),
      ]);
      this.inboxes = inboxes.items;
      this.teams = [...teams.items].sort(byName);
      this.access = Object.fromEntries(access.items.map((a) => [a.agentId, a]));
      this.status = 'ready';
      this.error = null;
    } catch (err) {
      if (this.status !== 'ready') this.status = 'error';
      this.error = describeError(err, ta('accessState.loadFailed'));
    }
  }

  /** Runs a change, shows its error in the open dialog, and reloads everything it may have touched. */
  async #save(work: () => Promise<unknown>, done: string, fallback: string): Promise<boolean> {
    if (this.saving) return false;
    this.saving = true;
    this.saveError = null;
    try {
      await work();
      await this.load();
      this.#toasts.success(done);
      return true;
    } catch (err) {
      this.saveError = describeError(err, fallback);
      return false;
    } finally {
      this.saving = false;
    }
  }

  setAccess(agentId: string, agentName: string, input: AgentAccessRequest): Promise<boolean> {
    return this.#save(
      () => this.#api.put(`/api/agents/${encodeURIComponent(agentId)}/access`, input),
      ta('accessState.saved', { name: agentName }),
      ta('accessState.saveFailed'),
    );
  }

  saveTeam(id: string | null, input: TeamRequest): Promise<boolean> {
    return this.#save(
      () =>
        id === null
          ? this.#api.post('/api/teams', input)
          : this.#api.put(`/api/teams/${encodeURIComponent(id)}`, input),
      ta(id === null ? 'accessState.teamCreated' : 'accessState.teamSaved', { name: input.name }),
      ta('accessState.teamSaveFailed'),
    );
  }

  deleteTeam(team: TeamView): Promise<boolean> {
    return this.#save(
      () => this.#api.delete(`/api/teams/${encodeURIComponent(team.id)}`),
      ta('accessState.teamDeleted', { name: team.name }),
      ta('accessState.teamDeleteFailed'),
    );
  }

  clearError(): void {
    this.saveError = null;
  }

  reset(): void {
    this.inboxes = [];
    this.teams = [];
    this.access = {};
    this.status = 'idle';
    this.error = null;
    this.saveError = null;
  }
}
