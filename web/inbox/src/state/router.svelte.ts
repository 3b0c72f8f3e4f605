export type Route =
  | { name: 'conversations'; conversationId: string | null }
  | { name: 'agents' }
  | { name: 'privacy' }
  | { name: 'kb' }
  | { name: 'analytics' }
  | { name: 'profile' }
  | { name: 'replies' };

/** Hash routes: #/conversations, #/conversations/<id>, #/agents, #/privacy, #/kb, #/analytics, #/profile, #/replies. */
export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  if (parts[0] === 'agents') return { name: 'agents' };
  if (parts[0] === 'privacy') return { name: 'privacy' };
  if (parts[0] === 'kb') return { name: 'kb' };
  if (parts[0] === 'analytics') return { name: 'analytics' };
  if (parts[0] === 'profile') return { name: 'profile' };
  if (parts[0] === 'replies') return { name: 'replies' };
  if (parts[0] === 'conversations' && parts[1]) {
    return { name: 'conversations', conversationId: decodeURIComponent(parts[1]) };
  }
  return { name: 'conversations', conversationId: null };
}

export const hrefs = {
  conversations: '#/conversations',
  conversation: (id: string) => `#/conversations/${encodeURIComponent(id)}`,
  agents: '#/agents',
  privacy: '#/privacy',
  kb: '#/kb',
  analytics: '#/analytics',
  profile: '#/profile',
  replies: '#/replies',
};

export class Router {
  route = $state<Route>({ name: 'conversations', conversationId: null });
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- callbacks, not state: nothing renders them
  #listeners = new Set<(route: Route) => void>();

  start(): void {
    window.addEventListener('hashchange', () => this.#sync());
    this.#sync();
  }

  onChange(listener: (route: Route) => void): void {
    this.#listeners.add(listener);
  }

  navigate(hash: string): void {
    if (window.location.hash === hash) return;
    window.location.hash = hash;
  }

  /** Replace the current entry (no history step), e.g. when redirecting away from a forbidden page. */
  redirect(hash: string): void {
    history.replaceState(null, '', hash);
    this.#sync();
  }

  #sync(): void {
    this.route = parseHash(window.location.hash);
    for (const listener of this.#listeners) listener(this.route);
  }
}
