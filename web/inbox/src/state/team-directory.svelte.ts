import type { ApiClient } from '../api.ts';
import type { TeamSummary } from '../types.ts';

/**
 * The teams this agent can filter by and assign conversations to (GET /api/teams/directory): only teams of
 * inboxes the agent sees. Loaded at sign-in and again when teams change ('teams:changed') or the agent's scope does.
 */
export class TeamDirectory {
  items = $state<TeamSummary[]>([]);

  /** Does the agent belong to a team? Only then is "My teams" offered. */
  hasMine = $derived(this.items.some((t) => t.mine));

  readonly #api: ApiClient;
  #generation = 0;

  constructor(api: ApiClient) {
    this.#api = api;
  }

  /** The teams that may hold a conversation of this inbox. */
  forInbox(inboxId: string): TeamSummary[] {
    return this.items.filter((t) => t.inboxIds.includes(inboxId));
  }

  async load(): Promise<void> {
    const generation = ++this.#generation;
    try {
      const { items } = await this.#api.get<{ items: TeamSummary[] }>('/api/teams/directory');
      if (generation === this.#generation) this.items = items;
    } catch {
      // The filter and picker then offer no teams; the next teams:changed or reconnect loads them again.
    }
  }

  reset(): void {
    this.#generation++;
    this.items = [];
  }
}
