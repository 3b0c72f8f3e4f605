import { t } from '../lib/i18n.svelte.ts';
import { ApiClient } from '../api.ts';
import { contactName } from '../lib/format.ts';
import type { AgentView, ConversationView, MessageView } from '../types.ts';
import { AgentDirectory } from './agents.svelte.ts';
import { InboxAccess } from './inbox-access.svelte.ts';
import { TeamDirectory } from './team-directory.svelte.ts';
import { AuditLog } from './audit-log.svelte.ts';
import { Bot } from './bot.svelte.ts';
import { Clock } from './clock.svelte.ts';
import { AnalyticsDashboard } from './dashboard.svelte.ts';
import { ConsentLedger } from './consent-ledger.svelte.ts';
import { ContactEditor } from './contact-editor.svelte.ts';
import { ContactExports } from './contact-export.svelte.ts';
import { KnowledgeBase } from './knowledge-base.svelte.ts';
import { Erasure } from './erasure.svelte.ts';
import { LegalHolds } from './legal-holds.svelte.ts';
import { Restrictions } from './restrictions.svelte.ts';
import { PrivacyRequests } from './privacy-requests.svelte.ts';
import { BreachRegister } from './breaches.svelte.ts';
import { Dpia } from './dpia.svelte.ts';
import { ContactAudit } from './contact-audit.svelte.ts';
import { Imports } from './imports.svelte.ts';
import { ProcessingRecord } from './processing-record.svelte.ts';
import { Redactor } from './redactor.svelte.ts';
import { Retention } from './retention.svelte.ts';
import { Trash } from './trash.svelte.ts';
import { ConversationDetail } from './conversation-detail.svelte.ts';
import { ComposerFiles } from './composer-files.svelte.ts';
import { FullMessageViewer } from './full-message.svelte.ts';
import { CallRecordings } from './call-recordings.svelte.ts';
import { RecordingDeletionFailures } from './recording-deletion-failures.svelte.ts';
import { ConversationList } from './conversation-list.svelte.ts';
import { Realtime } from './realtime.svelte.ts';
import { TeamPresence } from './presence.svelte.ts';
import { BusinessHoursSettings } from './business-hours.svelte.ts';
import { WebhookSettings } from './webhooks.svelte.ts';
import { ApiTokenSettings } from './api-tokens.svelte.ts';
import { Router, hrefs, type Route } from './router.svelte.ts';
import { Session } from './session.svelte.ts';
import { Toasts } from './toasts.svelte.ts';
import { CannedReplies } from './canned-replies.svelte.ts';
import { Notifications } from './notifications.svelte.ts';
import { Profile } from './profile.svelte.ts';
import { ShortcutUi, type ShortcutAction } from './shortcuts.svelte.ts';
import { Announcer } from './announcer.svelte.ts';

/**
 * The inbox's root state: owns every store and wires them together. Components read from `app` and call
 * its stores' methods; nothing else talks to the server.
 */
export class InboxApp {
  readonly api = new ApiClient();
  readonly toasts = new Toasts();
  /** Bumped when contacts were merged (here or by anyone): open merge suggestions are loaded again. */
  mergeSuggestionsVersion = $state(0);
  readonly clock = new Clock();
  readonly router = new Router();
  readonly session: Session;
  readonly agents: AgentDirectory;
  /** Admins: teams and who sees which inboxes (the Agents page). */
  readonly inboxAccess: InboxAccess;
  /** The teams this agent can filter by and assign to. */
  readonly teams: TeamDirectory;
  readonly list: ConversationList;
  readonly detail: ConversationDetail;
  /** Files attached in the composer, sent with the draft (picker, drag and drop, paste). */
  readonly composerFiles: ComposerFiles;
  /** A mail cut at MESSAGE_MAX_CHARS or sent as HTML only, read in full. */
  readonly fullMessage: FullMessageViewer;
  /** The open conversation's call recordings (voice). */
  readonly recordings: CallRecordings;
  /** Admins: recordings whose deletion at the provider keeps failing. */
  readonly recordingFailures: RecordingDeletionFailures;
  readonly realtime: Realtime;
  /** Colleagues online/away, typing, and "seen" in chats. */
  readonly presence = new TeamPresence();
  /** Admins: business hours per inbox (the Agents page). */
  readonly businessHours: BusinessHoursSettings;
  readonly webhooks: WebhookSettings;
  readonly apiTokens: ApiTokenSettings;
  // Privacy: the open contact's ledger, edits, exports, erasure, holds; the admin Privacy page.
  readonly contactEditor: ContactEditor;
  readonly consent: ConsentLedger;
  readonly exports: ContactExports;
  readonly erasure: Erasure;
  readonly holds: LegalHolds;
  readonly restrictions: Restrictions;
  readonly requests: PrivacyRequests;
  readonly breaches: BreachRegister;
  readonly dpia: Dpia;
  readonly contactAudit: ContactAudit;
  readonly redactor: Redactor;
  readonly retention: Retention;
  readonly trash: Trash;
  readonly audit: AuditLog;
  readonly imports: Imports;
  readonly record: ProcessingRecord;
  // The bot: its knowledge base (everyone reads, admins edit), its settings (admins) and the try box.
  readonly kb: KnowledgeBase;
  readonly bot: Bot;
  // Managers and admins: the consent-scoped dashboard.
  readonly dashboard: AnalyticsDashboard;
  // The agent's working day: canned replies, notifications, their own profile, keyboard shortcuts.
  readonly cannedReplies: CannedReplies;
  readonly notifications: Notifications;
  readonly profile: Profile;
  readonly shortcutUi = new ShortcutUi();
  /** The polite live region's lines (new messages and conversations, status changes). */
  readonly announcer = new Announcer();
  /** Unread customer messages in the loaded conversations (the tab title shows it). */
  unreadTotal = $derived(this.#unreadTotal());

  constructor() {
    this.session = new Session(this.api, {
      signedIn: () => this.#signedIn(),
      signedOut: () => this.#signedOut(),
    });
    this.agents = new AgentDirectory(this.api, this.toasts, (agent) => this.#agentChanged(agent));
    this.cannedReplies = new CannedReplies(this.api, this.toasts);
    this.notifications = new Notifications(this.api, this.toasts, (id) => this.router.navigate(hrefs.conversation(id)));
    this.profile = new Profile(this.api, this.toasts, (agent) => {
      this.session.updateSelf(agent);
      // The assign menu and the Agents page show the new name too.
      if (this.#loaded) void this.agents.load();
      // A one-time password was replaced: the inbox can load now.
      if (this.session.status === 'authenticated' && !agent.mustChangePassword && !this.#loaded) this.#signedIn();
    });
    this.inboxAccess = new InboxAccess(this.api, this.toasts);
    this.teams = new TeamDirectory(this.api);
    this.businessHours = new BusinessHoursSettings(this.api, this.toasts);
    this.webhooks = new WebhookSettings(this.api, this.toasts);
    this.apiTokens = new ApiTokenSettings(this.api, this.toasts);
    this.list = new ConversationList(
      this.api,
      () => this.session.agent?.id ?? null,
      () => this.teams.items.filter((t) => t.mine).map((t) => t.id),
    );
    this.detail = new ConversationDetail(this.api, this.toasts, {
      conversationChanged: (c) => this.list.applyLive(c, { viewing: this.detail.isViewing(c.id) }),
      read: (id) => this.list.setUnread(id, 0),
      statusSet: (c) => this.announcer.say(t(`live.status.${c.status}`)),
    });
    this.composerFiles = new ComposerFiles(this.api, this.toasts, this.detail);
    this.fullMessage = new FullMessageViewer(this.api, this.toasts);
    this.recordings = new CallRecordings(this.api, this.toasts);
    this.recordingFailures = new RecordingDeletionFailures(this.api);
    this.realtime = new Realtime({
      messageCreated: ({ message, conversation }) => {
        this.#notifyMessage(message, conversation);
        const open = this.detail.id === conversation.id && this.detail.status === 'ready';
        const listed = this.list.get(conversation.id) !== undefined;
        this.detail.applyMessageCreated(message, conversation);
        const viewing = this.detail.isViewing(conversation.id);
        const inbound = message.direction === 'inbound';
        this.list.applyLive(conversation, { viewing, inboundMessageId: inbound ? message.id : undefined });
        this.#announceMessage(message, conversation, {
          open,
          isNew: !listed && !open && this.list.get(conversation.id) !== undefined,
        });
        if (inbound && viewing) this.detail.markReadSoon();
        this.dashboard.dataChanged();
      },
      messageUpdated: ({ message }) => {
        this.detail.applyMessageUpdated(message);
        this.recordings.applyMessageUpdated(message);
      },
      conversationRemoved: ({ conversationId, reason }) => {
        this.#conversationRemoved(conversationId, reason);
        this.dashboard.dataChanged();
      },
      conversationChanged: ({ conversationId }) => {
        if (this.detail.id === conversationId) void this.detail.refresh();
        void this.list.reload(true);
      },
      contactUpdated: ({ contact }) => {
        this.list.applyContact(contact);
        this.detail.applyContact(contact);
      },
      contactMerged: ({ contact, mergedContactId }) => {
        void this.list.reload(true);
        const open = this.detail.contact?.id;
        if (open === contact.id || open === mergedContactId) void this.detail.refresh();
        this.mergeSuggestionsVersion++;
      },
      teamsChanged: () => {
        void this.teams.load();
        void this.list.reload(true);
        if (this.detail.conversation?.team) void this.detail.refresh();
      },
      analyticsChanged: () => this.dashboard.dataChanged(),
      privacyProgress: (progress) => this.exports.applyProgress(progress),
      botDecision: ({ conversationId, decision }) => this.detail.applyBotDecision(conversationId, decision),
      mentionCreated: ({ conversationId, by }) => {
        this.notifications.notify(
          'mentions',
          t('notify.mentioned', { name: by.name }),
          t('notify.mentionedDetail'),
          conversationId,
          this.#showing(conversationId),
        );
      },
      conversationUpdated: ({ conversation }) => {
        this.#notifyAssigned(conversation);
        this.detail.applyConversationUpdated(conversation);
        this.list.applyLive(conversation, { viewing: this.detail.isViewing(conversation.id) });
        this.dashboard.dataChanged();
      },
      resync: () => {
        void this.teams.load();
        void this.list.reload(true);
        void this.detail.refresh();
        this.dashboard.dataChanged();
      },
      refused: () => void this.session.verify(),
      socket: (socket) => this.presence.attach(socket),
    });
    this.contactEditor = new ContactEditor(this.api, this.toasts, (contact) => this.detail.replaceContact(contact));
    this.consent = new ConsentLedger(this.api, this.toasts, (contactId, current) =>
      this.detail.setConsent(contactId, current),
    );
    this.exports = new ContactExports(this.api, this.toasts);
    this.erasure = new Erasure(this.api, (_contactId, conversationIds) => {
      for (const id of conversationIds) this.#removeConversation(id);
    });
    this.holds = new LegalHolds(this.api, this.toasts, (hold) => this.detail.applyHold(hold));
    this.restrictions = new Restrictions(this.api, this.toasts, (r) => this.detail.applyRestriction(r));
    this.requests = new PrivacyRequests(this.api, this.toasts);
    this.breaches = new BreachRegister(this.api, this.toasts);
    this.dpia = new Dpia(this.api, this.toasts);
    this.contactAudit = new ContactAudit(this.api);
    this.redactor = new Redactor(
      this.api,
      this.toasts,
      (id) => this.detail.messages.find((m) => m.id === id),
      (message) => this.detail.applyMessageUpdated(message),
    );
    this.retention = new Retention(this.api, this.toasts);
    this.trash = new Trash(
      this.api,
      this.toasts,
      (id) => this.#removeConversation(id),
      (conversation) => this.list.upsert(conversation),
    );
    this.audit = new AuditLog(this.api);
    this.imports = new Imports(this.api);
    this.record = new ProcessingRecord(this.api);
    this.bot = new Bot(this.api, this.toasts);
    this.dashboard = new AnalyticsDashboard(this.api, this.toasts);
    this.kb = new KnowledgeBase(this.api, this.toasts, () => this.bot.knowledgeChanged());
    this.api.onUnauthorized = () => this.session.expire();
  }

  start(): void {
    this.clock.start();
    this.router.onChange((route) => this.#route(route));
    this.router.start();
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState !== 'visible') return;
      this.clock.tick();
      if (this.detail.status === 'ready' && (this.detail.conversation?.unreadCount ?? 0) > 0) {
        void this.detail.markRead();
      }
    });
    void this.session.restore();
  }

  #loaded = false;

  #signedIn(): void {
    // Signed in with a one-time password: the inbox shows only the form to choose one's own (App.svelte).
    if (this.session.agent?.mustChangePassword) return;
    this.#loaded = true;
    void this.notifications.load();
    void this.cannedReplies.load();
    void this.agents.load();
    void this.teams.load();
    void this.list.reload();
    this.realtime.connect();
    this.#route(this.router.route);
  }

  #signedOut(): void {
    this.#loaded = false;
    this.realtime.disconnect();
    this.cannedReplies.reset();
    this.notifications.reset();
    this.shortcutUi.helpOpen = false;
    this.announcer.reset();
    this.detail.close();
    this.list.reset();
    this.agents.reset();
    this.teams.reset();
    this.inboxAccess.reset();
    this.businessHours.reset();
    this.webhooks.reset();
    this.apiTokens.reset();
    this.contactEditor.cancel();
    this.consent.reset();
    this.exports.reset();
    this.erasure.reset();
    this.holds.reset();
    this.requests.reset();
    this.breaches.reset();
    this.dpia.reset();
    this.redactor.reset();
    this.retention.reset();
    this.audit.reset();
    this.imports.reset();
    this.record.reset();
    this.kb.reset();
    this.bot.reset();
    this.dashboard.reset();
  }

  /** Another agent (or a retention sweep) removed a conversation; our own erasures already did this. */
  #conversationRemoved(id: string, reason?: 'erased' | 'trashed'): void {
    if (this.trash.consumeOwnRemoval(id)) {
      this.#removeConversation(id);
      return;
    }
    if (reason === 'trashed') {
      if (this.#removeConversation(id)) this.toasts.push('info', t('trash.removedByOther'));
      return;
    }
    if (this.erasure.consumeOwnRemoval(id)) {
      this.#removeConversation(id);
      return;
    }
    if (this.#removeConversation(id)) this.toasts.push('info', t('toast.erased'), t('toast.erasedDetail'));
  }

  /** Drops an erased conversation everywhere; leaves it (to the list) if it was open. */
  #removeConversation(id: string): boolean {
    this.list.remove(id);
    if (!this.detail.removeConversation(id)) return false;
    this.redactor.reset();
    this.contactEditor.cancel();
    const route = this.router.route;
    if (route.name === 'conversations' && route.conversationId === id) this.router.navigate(hrefs.conversations);
    return true;
  }

  #agentChanged(agent: AgentView): void {
    this.session.updateSelf(agent);
    const page = this.router.route.name;
    if ((page === 'agents' || page === 'privacy') && !this.session.isAdmin) this.router.redirect(hrefs.conversations);
    if (page === 'analytics' && !this.session.isManager) this.router.redirect(hrefs.conversations);
    // Became or stopped being an admin while on the knowledge base: show or hide the bot settings.
    if (page === 'kb') this.bot.setActive(true, this.session.isAdmin);
  }

  #unreadTotal(): number {
    return this.list.items.reduce((sum, c) => sum + (c.unreadCount ?? 0), 0);
  }

  /** The agent is looking at this conversation right now (no system notification needed). */
  #showing(conversationId: string): boolean {
    return this.detail.isViewing(conversationId) && document.visibilityState === 'visible';
  }

  /** A conversation became mine through someone else (my own assignment already updated the list). */
  #notifyAssigned(conversation: ConversationView): void {
    const me = this.session.agent?.id;
    if (!me || conversation.assignee?.id !== me) return;
    // This tab is assigning it (the event can arrive before the answer): the agent did it themselves.
    if (this.detail.assigning && this.detail.id === conversation.id) return;
    const before =
      this.list.get(conversation.id) ??
      (this.detail.conversation?.id === conversation.id ? this.detail.conversation : null);
    if (before?.assignee?.id === me) return;
    const who = contactName(conversation.contact.name, conversation.channel);
    this.notifications.notify(
      'assigned',
      t('notify.assignedTitle'),
      t('notify.assignedDetail', { name: who }),
      conversation.id,
      this.#showing(conversation.id),
    );
  }

  /** A customer wrote in a conversation assigned to me. */
  #notifyMessage(message: MessageView, conversation: ConversationView): void {
    const me = this.session.agent?.id;
    if (!me || message.direction !== 'inbound' || conversation.assignee?.id !== me) return;
    const who = contactName(conversation.contact.name, conversation.channel);
    this.notifications.notify(
      'myMessages',
      t('notify.messageTitle', { name: who }),
      t('notify.messageDetail'),
      conversation.id,
      this.#showing(conversation.id),
    );
  }

  /**
   * Tells a screen reader about a message once: in the open conversation who wrote what (not the agent's own
   * messages, their delivery, or timeline markers); elsewhere only a conversation new to the list.
   */
  #announceMessage(message: MessageView, conversation: ConversationView, where: { open: boolean; isNew: boolean }) {
    if (message.kind === 'event') return;
    const me = this.session.agent;
    const who = contactName(conversation.contact.name, conversation.channel);
    if (where.open) {
      if (message.authorKind === 'agent' && (!message.authorName || message.authorName === me?.name)) return;
      const author = {
        bot: () => t('message.bot'),
        system: () => t('message.system'),
        agent: () => message.authorName ?? '',
        contact: () => message.author?.name ?? message.authorName ?? who,
      }[message.authorKind]();
      const key = message.kind === 'note' ? 'live.note' : 'live.message';
      this.announcer.say(t(key, { author, text: message.body }), message.id);
    } else if (where.isNew) {
      this.announcer.say(t('live.newConversation', { name: who, text: message.body }), message.id);
    }
  }

  /** A keyboard shortcut (state/shortcuts.svelte.ts decided it applies). */
  runShortcut(action: ShortcutAction): boolean {
    if (action === 'help') {
      this.shortcutUi.helpOpen = true;
      return true;
    }
    if (action === 'search') {
      const search = document.getElementById('global-search');
      if (!search) return false;
      search.focus();
      return true;
    }
    if (this.router.route.name !== 'conversations') return false;
    if (action === 'next' || action === 'previous') {
      const items = this.list.items;
      if (items.length === 0) return false;
      const at = items.findIndex((c) => c.id === this.detail.id);
      const step = action === 'next' ? 1 : -1;
      const target = at === -1 ? items[0] : items[Math.min(items.length - 1, Math.max(0, at + step))];
      if (target && target.id !== this.detail.id) {
        this.shortcutUi.keepFocusFor = target.id;
        this.router.navigate(hrefs.conversation(target.id));
      }
      return true;
    }
    if (this.detail.status !== 'ready') return false;
    if (action === 'reply' || action === 'note') {
      this.detail.setMode(action);
      this.shortcutUi.focusRequests++;
    } else if (action === 'canned') {
      this.shortcutUi.cannedRequests++;
    } else if (action === 'assignMe') {
      const me = this.session.agent?.id;
      if (me && this.detail.conversation?.assignee?.id !== me) void this.detail.assign(me);
    } else if (action === 'resolve') {
      void this.detail.setStatus('resolved');
    }
    return true;
  }

  /** Everything the Privacy page shows, fetched together (each part has its own loading/error state). */
  loadPrivacyPage(): void {
    void this.retention.load();
    void this.retention.loadPreview();
    void this.recordingFailures.load();
    void this.holds.load();
    void this.trash.load();
    void this.requests.load();
    void this.breaches.load();
    void this.dpia.load();
    void this.audit.load();
    void this.imports.load();
    void this.record.load();
  }

  #route(route: Route): void {
    if (this.session.status !== 'authenticated') return;
    this.bot.setActive(route.name === 'kb', this.session.isAdmin);
    if (route.name !== 'analytics') this.dashboard.setActive(false);
    if (route.name === 'analytics') {
      if (!this.session.isManager) {
        this.router.redirect(hrefs.conversations);
        return;
      }
      this.detail.close();
      this.dashboard.setActive(true);
      return;
    }
    if (route.name === 'kb') {
      this.detail.close();
      void this.kb.load();
      return;
    }
    if (route.name === 'profile' || route.name === 'replies') {
      this.detail.close();
      if (route.name === 'replies') void this.cannedReplies.load();
      return;
    }
    if (route.name === 'agents') {
      if (!this.session.isAdmin) {
        this.router.redirect(hrefs.conversations);
        return;
      }
      this.detail.close();
      void this.agents.load();
      void this.inboxAccess.load();
      return;
    }
    if (route.name === 'privacy') {
      if (!this.session.isAdmin) {
        this.router.redirect(hrefs.conversations);
        return;
      }
      this.detail.close();
      this.loadPrivacyPage();
      return;
    }
    this.redactor.reset();
    if (route.conversationId) {
      void this.detail.open(route.conversationId);
      void this.recordings.open(route.conversationId);
    } else {
      this.detail.close();
      this.recordings.close();
    }
  }
}

export const app = new InboxApp();
