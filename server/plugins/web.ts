import { isLocale } from '../../web/i18n/locales.ts';
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { inboxes } from '../../drizzle/schema/index.ts';
import { escapeHtml } from '../http/escape.ts';

export const webDist = join(dirname(fileURLToPath(import.meta.url)), '../../dist/web');

/** Serves the built web apps (npm run build:web), the widget loader and the /demo host page. */
/** The /demo page finds a chat inbox and embeds the widget from PUBLIC_URL. */
export type WebPluginDeps = { db: Db; config: Pick<Config, 'publicUrl'> };

export const webPlugin = fp<{ deps: WebPluginDeps }>(
  async (app, { deps }) => {
    if (!existsSync(join(webDist, 'inbox/index.html'))) {
      app.log.warn('web apps are not built: run `npm run build:web` (npm start does it for you)');
    }
    // Security headers (CSP, framing) for these pages: server/plugins/security-headers.ts.
    await app.register(fastifyStatic, { root: join(webDist, 'inbox'), prefix: '/inbox/', decorateReply: true });
    await app.register(fastifyStatic, { root: join(webDist, 'widget'), prefix: '/widget/', decorateReply: false });
    app.get('/widget.js', { config: { access: 'public' }, schema: { hide: true } }, (_req, reply) =>
      reply.header('cache-control', 'public, max-age=300').sendFile('widget.js', webDist),
    );
    app.get('/', { config: { access: 'public' }, schema: { hide: true } }, (_req, reply) => reply.redirect('/inbox/'));
    app.get('/inbox', { config: { access: 'public' }, schema: { hide: true } }, (_req, reply) =>
      reply.redirect('/inbox/'),
    );

    app.get<{ Querystring: { locale?: string; color?: string } }>(
      '/demo',
      { config: { access: 'public' }, schema: { hide: true } },
      async (request, reply) => {
        const [chat] = await deps.db
          .select({ id: inboxes.id, name: inboxes.name })
          .from(inboxes)
          .where(eq(inboxes.channel, 'chat'))
          .limit(1);
        if (!chat) return reply.status(404).type('text/plain').send('No chat inbox exists: create one first.');
        // ?locale=de shows the embed's data-locale attribute at work (the widget speaks that language).
        const locale = isLocale(request.query.locale) ? request.query.locale : null;
        // ?color=ffeb3b shows data-color: the site's brand colour, adjusted by the widget when it lacks contrast.
        const color = /^[0-9a-f]{6}$/i.test(request.query.color ?? '') ? `#${request.query.color}` : null;
        return reply.type('text/html').send(demoPage(chat.id, chat.name, deps.config.publicUrl, locale, color));
      },
    );
  },
  { name: 'web' },
);

function demoPage(
  inboxId: string,
  inboxName: string,
  publicUrl: string,
  locale: string | null,
  color: string | null,
): string {
  // Exactly the snippet a customer pastes: the script comes from PUBLIC_URL, as it would on their site.
  const lang = locale ? ` data-locale="${locale}"` : '';
  const brand = color ? ` data-color="${color}"` : '';
  const attributes = `data-inbox="${inboxId}"${lang}${brand}`;
  const snippet = `<script src="${escapeHtml(publicUrl)}/widget.js" ${attributes} async></script>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Outdoor — demo shop</title>
<link rel="icon" href="data:,">
<style>
  body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
         color: #1f2933; background: #f7f5f2; }
  header { background: #24423a; color: #fff; padding: 18px 32px;
           display: flex; justify-content: space-between; align-items: center; }
  header b { font-size: 20px; letter-spacing: .3px; }
  main { max-width: 860px; margin: 40px auto; padding: 0 24px; }
  .hero { background: #fff; border-radius: 14px; padding: 32px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
  h1 { margin-top: 0; font-size: 30px; }
  pre { background: #1f2933; color: #e4e7eb; padding: 14px 16px; border-radius: 8px;
        overflow-x: auto; font-size: 13px; }
  .muted { color: #616e7c; font-size: 14px; }
  footer { max-width: 860px; margin: 0 auto 40px; padding: 0 24px; }
  footer a { color: #24423a; margin-right: 16px; }
</style>
</head>
<body>
<header><b>Acme Outdoor</b><span>Tents · Packs · Boots</span></header>
<main>
  <section class="hero">
    <h1>Questions about your order?</h1>
    <p>This is a demo host page. The chat button in the corner is the support widget of the
       <b>${escapeHtml(inboxName)}</b> inbox, embedded with one line:</p>
    <pre>${escapeHtml(snippet)}</pre>
    <p class="muted">Nothing is stored in your browser or on the server until you accept the notice in the widget.</p>
  </section>
</main>
<footer>
  <a href="/privacy" data-testid="demo-privacy">Privacy</a>
  <a href="/accessibility" data-testid="demo-accessibility">Accessibility</a>
</footer>
${snippet}
</body>
</html>`;
}
