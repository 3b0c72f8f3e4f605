/**
 * The iframe's own copy of the visitor token, in its localStorage (the server's origin) under a key naming
 * the inbox. It is written only after the visitor accepted the notice. Embedded cross-site, this storage is
 * blocked or partitioned by the browser, so the loader keeps the copy that counts first-party on the host
 * page (see HostBridge); this one serves same-site embedding and the app opened directly. When storage is
 * unavailable the token lives in memory for this page view only.
 */
const memory = new Map<string, string>();

export function tokenKey(inboxId: string): string {
  return `privacy-inbox.widget.${inboxId}.token`;
}

export const tokenStore = {
  read(inboxId: string): string | null {
    try {
      return localStorage.getItem(tokenKey(inboxId)) ?? memory.get(inboxId) ?? null;
    } catch {
      return memory.get(inboxId) ?? null;
    }
  },
  write(inboxId: string, token: string): void {
    memory.set(inboxId, token);
    try {
      localStorage.setItem(tokenKey(inboxId), token);
    } catch {
      // Storage blocked or full: the in-memory copy keeps this page view working.
    }
  },
  clear(inboxId: string): void {
    memory.delete(inboxId);
    try {
      localStorage.removeItem(tokenKey(inboxId));
    } catch {
      // Nothing stored, nothing to clear.
    }
  },
};
