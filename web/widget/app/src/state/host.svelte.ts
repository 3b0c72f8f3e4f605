import { acceptFromHost, parseOrigin, postToHost, type FrameToHostMessage } from '../../../protocol.ts';

/** How long to wait for the loader's 'widget:init' before falling back to the iframe's own storage. */
const INIT_TIMEOUT_MS = 1_500;

/**
 * What the loader said about the visitor token: a token, null (the loader holds none), or undefined when it
 * did not answer in time or there is no loader (the app opened directly).
 */
export type HostToken = string | null | undefined;

/**
 * The iframe's side of the postMessage protocol. It talks only to the origin named by `?parent=` and only
 * to window.parent; without a valid parent (the app opened directly) it behaves as an always-open page.
 */
export class HostBridge {
  readonly parentOrigin: string | null;
  readonly embedded: boolean;
  /** Whether the panel is visible on the host page. */
  visible = $state(true);
  /** Agent/bot messages received while hidden; mirrored to the launcher's dot. */
  unread = $state(0);
  /** Bumped on every open, so the visible view can move focus into itself. */
  focusRequest = $state(0);

  /** Settles with the loader's 'widget:init' answer, or undefined after INIT_TIMEOUT_MS / when not embedded. */
  readonly initialToken: Promise<HostToken>;
  private settleInit: (token: HostToken) => void = () => {};

  constructor(parentParam: string | null) {
    this.parentOrigin = parseOrigin(parentParam);
    this.embedded = window.parent !== window && this.parentOrigin !== null;
    this.visible = !this.embedded;
    this.initialToken = new Promise((resolve) => {
      let settled = false;
      this.settleInit = (token) => {
        if (settled) return;
        settled = true;
        resolve(token);
      };
    });
  }

  start(): void {
    if (!this.embedded) {
      this.settleInit(undefined);
      return;
    }
    window.addEventListener('message', (event) => {
      const message = acceptFromHost(event, this.parentOrigin, window.parent);
      if (!message) return;
      switch (message.type) {
        case 'widget:init':
          // Only the first answer counts: the token is chosen once, when the app starts.
          this.settleInit(message.token);
          break;
        case 'widget:open':
          this.visible = true;
          this.focusRequest += 1;
          this.setUnread(0);
          break;
        case 'widget:hidden':
          this.visible = false;
          break;
      }
    });
    // An older loader (cached widget.js) does not answer: then the app uses its own storage.
    setTimeout(() => this.settleInit(undefined), INIT_TIMEOUT_MS);
    this.post({ type: 'widget:ready' });
  }

  /**
   * The visitor accepted the notice and got this token: the loader keeps it first-party on the host page.
   * Only ever called after consent, and only with a token issued to this frame (never one read from the
   * iframe's own storage, which in a browser without storage partitioning other embedding sites share).
   */
  session(token: string): void {
    this.post({ type: 'widget:session', token });
  }

  /** The token is no longer valid (or the visitor ended the session): the loader deletes its copy. */
  forget(): void {
    this.post({ type: 'widget:forget' });
  }

  /** A new agent/bot message arrived. */
  noteIncoming(): void {
    if (!this.visible) this.setUnread(this.unread + 1);
  }

  close(): void {
    this.post({ type: 'widget:close' });
  }

  private setUnread(count: number): void {
    if (count === this.unread) return;
    this.unread = count;
    this.post({ type: 'widget:unread', count });
  }

  private post(message: FrameToHostMessage): void {
    if (this.embedded) postToHost(window.parent, this.parentOrigin, message);
  }
}
