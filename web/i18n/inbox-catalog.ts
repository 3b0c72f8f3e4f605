import i18next from 'i18next';
import ICU from 'i18next-icu';
import { DEFAULT_LOCALE, LOCALES, type Locale, type Messages, type Translate } from './index.ts';
import enInbox from './locales/en/inbox.json' with { type: 'json' };
import enInboxAdmin from './locales/en/inbox-admin.json' with { type: 'json' };
import enInboxPrivacy from './locales/en/inbox-privacy.json' with { type: 'json' };
import enInboxTimeline from './locales/en/inbox-timeline.json' with { type: 'json' };
import enInboxErrors from './locales/en/inbox-errors.json' with { type: 'json' };

/**
 * The inbox's texts. Each namespace is a file web/i18n/locales/<locale>/<namespace>.json whose name starts with
 * "inbox" (the catalog test covers every such file): `inbox` for the agent's screens, `inbox-admin` for the admin
 * pages, `inbox-privacy` for the Privacy page and the contact panel's privacy sections.
 * English is bundled (it is the fallback and the first paint); the other languages are loaded on demand, one
 * chunk per language and namespace, so an agent downloads only the language they read.
 */
export const INBOX_NAMESPACES = ['inbox', 'inbox-admin', 'inbox-privacy', 'inbox-timeline', 'inbox-errors'] as const;
export type InboxNamespace = (typeof INBOX_NAMESPACES)[number];

const ENGLISH: Record<InboxNamespace, Messages> = {
  inbox: enInbox,
  'inbox-admin': enInboxAdmin,
  'inbox-privacy': enInboxPrivacy,
  // The markers the server writes into a conversation's timeline (server/domain/timeline-events.ts).
  'inbox-timeline': enInboxTimeline,
  // What the API's error codes mean (`code.<code>`), instead of the English `message` the server sends.
  'inbox-errors': enInboxErrors,
};

/** The API error codes the inbox words itself (inbox-errors: code.<code>); any other shows the server's message. */
export const INBOX_ERROR_CODES: ReadonlySet<string> = new Set(Object.keys(enInboxErrors.code));

const instance = i18next.createInstance();
void instance.use(ICU).init({
  resources: { [DEFAULT_LOCALE]: ENGLISH },
  ns: [...INBOX_NAMESPACES],
  defaultNS: 'inbox',
  lng: DEFAULT_LOCALE,
  fallbackLng: DEFAULT_LOCALE,
  supportedLngs: [...LOCALES],
  initAsync: false,
  returnNull: false,
  // Svelte escapes what it renders.
  interpolation: { escapeValue: false },
  // The ICU plugin remembers each compiled message, English fallbacks included: forget them when a language
  // arrives, or its texts would stay English.
  i18nFormat: { bindI18nStore: 'added' },
});

type Chunk = () => Promise<{ default: Messages }>;
/** Each language's namespaces as separate chunks (a new namespace adds a line per language). */
const CHUNKS: Record<Exclude<Locale, 'en'>, Record<InboxNamespace, Chunk>> = {
  de: {
    inbox: () => import('./locales/de/inbox.json'),
    'inbox-admin': () => import('./locales/de/inbox-admin.json'),
    'inbox-privacy': () => import('./locales/de/inbox-privacy.json'),
    'inbox-timeline': () => import('./locales/de/inbox-timeline.json'),
    'inbox-errors': () => import('./locales/de/inbox-errors.json'),
  },
  fr: {
    inbox: () => import('./locales/fr/inbox.json'),
    'inbox-admin': () => import('./locales/fr/inbox-admin.json'),
    'inbox-privacy': () => import('./locales/fr/inbox-privacy.json'),
    'inbox-timeline': () => import('./locales/fr/inbox-timeline.json'),
    'inbox-errors': () => import('./locales/fr/inbox-errors.json'),
  },
  fi: {
    inbox: () => import('./locales/fi/inbox.json'),
    'inbox-admin': () => import('./locales/fi/inbox-admin.json'),
    'inbox-privacy': () => import('./locales/fi/inbox-privacy.json'),
    'inbox-timeline': () => import('./locales/fi/inbox-timeline.json'),
    'inbox-errors': () => import('./locales/fi/inbox-errors.json'),
  },
  sv: {
    inbox: () => import('./locales/sv/inbox.json'),
    'inbox-admin': () => import('./locales/sv/inbox-admin.json'),
    'inbox-privacy': () => import('./locales/sv/inbox-privacy.json'),
    'inbox-timeline': () => import('./locales/sv/inbox-timeline.json'),
    'inbox-errors': () => import('./locales/sv/inbox-errors.json'),
  },
};

const loading = new Map<Locale, Promise<void>>();

/** Makes every inbox namespace of this language available; resolves at once when it already is. */
export function loadInboxLocale(locale: Locale): Promise<void> {
  if (locale === 'en') return Promise.resolve();
  let pending = loading.get(locale);
  if (!pending) {
    const chunks = CHUNKS[locale];
    pending = Promise.all(
      INBOX_NAMESPACES.map(async (namespace) => {
        const { default: texts } = await chunks[namespace]();
        instance.addResourceBundle(locale, namespace, texts, true, true);
      }),
    ).then(() => undefined);
    // A failed download (offline) may be retried by the next switch.
    pending.catch(() => loading.delete(locale));
    loading.set(locale, pending);
  }
  return pending;
}

/**
 * A translator for one language (load it first; until then English shows). Keys are in the `inbox` namespace;
 * another namespace is named before a colon: t('inbox-admin:agents.title').
 */
export function inboxTranslator(locale: Locale): Translate {
  const fixed = instance.getFixedT(locale, 'inbox');
  return (key, values) => fixed(key, values ?? {});
}
