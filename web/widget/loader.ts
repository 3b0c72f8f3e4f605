/**
 * The website snippet: `<script src="https://support.example.com/widget.js" data-inbox="<uuid>" async></script>`.
 *
 * It draws a launcher button and, on first open, an iframe to the server's /widget/ app (at once but hidden
 * when a returning visitor's token is stored, so the unread dot works). All its styles are inline
 * (`all: initial` first) so nothing leaks into the host page and the host page's CSS does not reshape it.
 *
 * Storage: browsers block or partition storage in cross-site iframes, so the iframe cannot keep the visitor
 * token itself. The loader keeps it first-party, in the host page's localStorage under
 * `privacy-inbox.widget.<inboxId>.token`, but writes it only when the iframe sends 'widget:session', which
 * it does only after the visitor accepted the consent notice. Before that the loader only reads (to answer
 * 'widget:ready' with 'widget:init'), which stores nothing; it never sets a cookie or uses sessionStorage.
 * 'widget:forget' deletes the key. When storage throws, the token lives in memory for this page view.
 * Styles are set through the CSSOM (style.cssText), which a host page's CSP allows, and the icons are
 * built with createElementNS, which Trusted Types allow.
 *
 * Accessibility: the launcher is a disclosure button (aria-expanded), not a dialog opener. On a wide screen the
 * panel is non-modal, beside the page, which stays usable (Tab may leave the widget, as it must: no keyboard trap).
 * On a narrow screen (or zoomed to 400 %) the panel covers the page, so the page behind is made inert while it is
 * open: focus can never land on something hidden behind it, and the launcher stays visible below the panel to
 * minimise it. A polite live region here announces the unread count while the widget is closed.
 */
import { acceptFromFrame, isToken, parseOrigin, postToFrame, type HostToFrameMessage } from './protocol.ts';
import { pickLocale } from '../i18n/locales.ts';
import { LOADER_TEXTS } from '../i18n/loader-texts.ts';
import { brandTheme } from './theme.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const Z = '2147483000';
/** On narrow screens, the strip below the panel that keeps the launcher visible. */
const NARROW_STRIP = 64;
const SVG_NS = 'http://www.w3.org/2000/svg';
// Material-style glyphs: a speech bubble (closed) and a chevron (open).
const ICON_CHAT =
  'M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2zM6 9h12v2H6V9zm8 5H6v-2h8v2zm4-6H6V6h12v2z';
const ICON_CLOSE = 'M7.41 8.59 12 13.17l4.59-4.58L18 10l-6 6-6-6 1.41-1.41z';

type WidgetGlobal = Window & { __privacyInboxWidget?: boolean };

function findScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.dataset.inbox) return current;
  return document.querySelector<HTMLScriptElement>('script[src*="widget.js"][data-inbox]');
}

function css(el: HTMLElement | SVGElement, rules: string): void {
  // `all: initial` shields us from host rules such as `button { ... }` or `iframe { ... }`.
  el.style.cssText = 'all:initial;box-sizing:border-box;' + rules;
}

function icon(path: string): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '28');
  svg.setAttribute('height', '28');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  // currentColor: in forced-colours mode the icon follows the system's button text colour.
  svg.style.cssText = 'display:block;fill:currentColor;pointer-events:none';
  const p = document.createElementNS(SVG_NS, 'path');
  p.setAttribute('d', path);
  svg.appendChild(p);
  return svg;
}

/** The host page's localStorage, or null where the page may not use it (sandboxed, blocked). */
function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function mount(script: HTMLScriptElement): void {
  const inboxId = (script.dataset.inbox ?? '').trim();
  const serverOrigin = parseOrigin(script.src);
  if (!UUID.test(inboxId) || !serverOrigin) {
    console.warn('[support widget] data-inbox must be an inbox uuid and src an http(s) URL; widget not loaded.');
    return;
  }
  const hostOrigin = location.origin;
  // The page's language: the embed's data-locale, else the page's own <html lang>; the widget falls back to the
  // visitor's browser languages when neither is one of its five.
  const hostLocale = (script.dataset.locale ?? document.documentElement.lang ?? '').trim();
  const texts = LOADER_TEXTS[pickLocale([hostLocale, ...navigator.languages])];
  const narrow = window.matchMedia('(max-width: 480px)');
  // The admin's colour (data-color="#rrggbb"), darkened when white on it would fail WCAG contrast.
  const requested = script.dataset.color?.trim();
  const theme = brandTheme(requested);
  if (requested && theme.adjusted) {
    console.info(`[support widget] data-color ${requested} is too light for white text; using ${theme.brand}.`);
  }

  let open = false;
  let ready = false;
  let unread = 0;
  let frame: HTMLIFrameElement | null = null;

  // Reading writes nothing: no key is created until the visitor has consented ('widget:session').
  const key = `privacy-inbox.widget.${inboxId.toLowerCase()}.token`;
  let token: string | null = null;
  try {
    const stored = storage()?.getItem(key);
    if (isToken(stored)) token = stored;
  } catch {
    // Blocked storage: a new visitor for this page view.
  }

  function keep(next: string | null): void {
    token = next;
    try {
      const store = storage();
      if (next) store?.setItem(key, next);
      else store?.removeItem(key);
    } catch {
      // Blocked or full: the in-memory copy keeps this page view working.
    }
  }

  const root = document.createElement('div');
  root.setAttribute('data-support-widget', '');
  css(root, `position:fixed;right:0;bottom:0;width:0;height:0;z-index:${Z};`);

  const panel = document.createElement('div');

  const launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.setAttribute('data-testid', 'widget-launcher');
  launcher.setAttribute('aria-controls', 'support-widget-panel');
  panel.id = 'support-widget-panel';

  // Announces new replies while the widget is closed (the dot alone says nothing to a screen reader).
  const announcer = document.createElement('div');
  announcer.setAttribute('role', 'status');
  announcer.setAttribute('aria-live', 'polite');
  announcer.setAttribute('data-testid', 'widget-announcer');
  css(
    announcer,
    'position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;' +
      'clip:rect(0,0,0,0);white-space:nowrap;border:0;',
  );

  const dot = document.createElement('span');
  dot.setAttribute('aria-hidden', 'true');
  dot.setAttribute('data-testid', 'widget-unread');

  const chatIcon = icon(ICON_CHAT);
  const closeIcon = icon(ICON_CLOSE);
  launcher.append(chatIcon, closeIcon, dot);

  let hover = false;
  let focusRing = false;
  // The host page's top-level elements this loader made inert (and only those: it restores exactly these).
  let inerted: Element[] = [];

  function shieldPage(on: boolean): void {
    if (on && inerted.length === 0) {
      inerted = [...document.body.children].filter((el) => el !== root && !el.hasAttribute('inert'));
      for (const el of inerted) el.setAttribute('inert', '');
    } else if (!on) {
      for (const el of inerted) el.removeAttribute('inert');
      inerted = [];
    }
  }

  function draw(): void {
    const small = narrow.matches;
    // A two-tone ring (white inside, dark outside) shows on any host background; the transparent border
    // becomes the button's outline in forced-colours mode, where backgrounds and shadows are dropped.
    const ring = focusRing ? 'outline:3px solid #111827;outline-offset:3px;' : 'outline:none;';
    css(
      launcher,
      `position:fixed;right:${small ? 8 : 20}px;bottom:${small ? 8 : 20}px;` +
        `width:${small ? 48 : 56}px;height:${small ? 48 : 56}px;` +
        `border-radius:50%;border:2px solid transparent;` +
        `background:${theme.brand};color:#fff;cursor:pointer;display:flex;` +
        `align-items:center;justify-content:center;z-index:${Z};` +
        `box-shadow:${focusRing ? '0 0 0 3px #fff,' : ''}0 6px 20px rgba(30,27,75,.28),0 2px 6px rgba(30,27,75,.2);` +
        `transition:transform .15s ease,box-shadow .15s ease;transform:scale(${hover ? 1.06 : 1});` +
        ring,
    );
    chatIcon.style.display = open ? 'none' : 'block';
    closeIcon.style.display = open ? 'block' : 'none';
    css(
      dot,
      `position:absolute;top:2px;right:2px;width:14px;height:14px;border-radius:50%;background:#ef4444;` +
        `border:2px solid #fff;display:${unread > 0 && !open ? 'block' : 'none'};`,
    );
    const label = open ? texts.close : unread > 0 ? texts.openUnread.replace('{count}', String(unread)) : texts.open;
    launcher.setAttribute('aria-label', label);
    launcher.title = label;
    launcher.setAttribute('aria-expanded', String(open));

    // Narrow: the whole viewport, with a strip at the bottom where the launcher stays (it minimises the widget).
    const box = small
      ? 'left:0;top:0;width:100%;height:100%;border-radius:0;'
      : 'right:20px;bottom:88px;width:370px;height:560px;' +
        'max-height:calc(100vh - 108px);max-width:calc(100vw - 40px);border-radius:16px;';

    css(
      panel,
      `position:fixed;${box}overflow:hidden;background:#fff;z-index:${Z};` +
        `box-shadow:0 12px 48px rgba(15,23,42,.22),0 2px 8px rgba(15,23,42,.12);` +
        `transition:opacity .18s ease,transform .18s ease,visibility 0s linear ${open ? '0s' : '.18s'};` +
        `opacity:${open ? 1 : 0};transform:translateY(${open ? 0 : 12}px);visibility:${open ? 'visible' : 'hidden'};` +
        `pointer-events:${open ? 'auto' : 'none'};display:${frame ? 'block' : 'none'};`,
    );
    panel.setAttribute('aria-hidden', String(!open));
    if (frame) frame.style.height = small ? `calc(100% - ${NARROW_STRIP}px)` : '100%';
    shieldPage(open && small);
  }

  function announce(): void {
    // Only while closed: an open widget announces each message itself, in its log.
    announcer.textContent = !open && unread > 0 ? texts.unread.replace('{count}', String(unread)) : '';
  }

  function send(message: HostToFrameMessage): void {
    if (ready) postToFrame(frame?.contentWindow, serverOrigin!, message);
  }

  function createFrame(): HTMLIFrameElement {
    const f = document.createElement('iframe');
    f.src =
      `${serverOrigin}/widget/?inbox=${encodeURIComponent(inboxId)}&parent=${encodeURIComponent(hostOrigin)}` +
      (hostLocale ? `&locale=${encodeURIComponent(hostLocale)}` : '') +
      (requested ? `&color=${encodeURIComponent(theme.brand)}` : '');
    f.title = texts.frame;
    f.setAttribute('data-testid', 'widget-frame');
    f.setAttribute('allow', 'clipboard-write');
    f.setAttribute('referrerpolicy', 'strict-origin');
    css(f, 'display:block;width:100%;height:100%;border:0;background:#fff;color-scheme:light;');
    panel.appendChild(f);
    return f;
  }

  function setOpen(next: boolean, fromFrame = false): void {
    if (next === open) return;
    open = next;
    if (open && !frame) frame = createFrame();
    if (open) unread = 0;
    draw();
    announce();
    send({ type: open ? 'widget:open' : 'widget:hidden' });
    if (open && ready) frame?.focus();
    // Closing from inside the iframe would leave focus nowhere: hand it back to the launcher.
    if (!open && fromFrame) launcher.focus();
  }

  launcher.addEventListener('click', () => setOpen(!open));
  launcher.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && open) setOpen(false);
  });
  launcher.addEventListener('mouseenter', () => ((hover = true), draw()));
  launcher.addEventListener('mouseleave', () => ((hover = false), draw()));
  launcher.addEventListener('focus', () => {
    focusRing = launcher.matches(':focus-visible');
    draw();
  });
  launcher.addEventListener('blur', () => ((focusRing = false), draw()));
  narrow.addEventListener?.('change', draw);

  window.addEventListener('message', (event) => {
    const message = acceptFromFrame(event, serverOrigin, frame?.contentWindow);
    if (!message) return;
    switch (message.type) {
      case 'widget:ready':
        ready = true;
        send({ type: 'widget:init', token });
        send({ type: open ? 'widget:open' : 'widget:hidden' });
        if (open) frame?.focus();
        break;
      case 'widget:unread':
        unread = open ? 0 : message.count;
        draw();
        announce();
        break;
      case 'widget:close':
        setOpen(false, true);
        break;
      case 'widget:session':
        // The visitor accepted the notice in the iframe: the first moment the loader stores anything.
        keep(message.token);
        break;
      case 'widget:forget':
        keep(null);
        break;
    }
  });

  // A returning visitor (consent given earlier): load the app hidden so new replies light the dot.
  if (token) frame = createFrame();
  root.append(panel, launcher, announcer);
  draw();
  document.body.appendChild(root);
}

function boot(): void {
  const w = window as WidgetGlobal;
  if (w.__privacyInboxWidget) return; // the snippet was pasted twice
  const script = findScript();
  if (!script) return;
  w.__privacyInboxWidget = true;
  if (document.body) mount(script);
  else document.addEventListener('DOMContentLoaded', () => mount(script), { once: true });
}

boot();
