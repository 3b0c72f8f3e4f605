import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

/** Builds the iframe app served by the server at /widget/. */
const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '../..');
const api = process.env.WIDGET_DEV_API ?? 'http://localhost:3000';

export default defineConfig({
  root: resolve(here, 'app'),
  base: '/widget/',
  publicDir: false,
  plugins: [svelte()],
  build: {
    outDir: resolve(repo, 'dist/web/widget'),
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
  },
  server: {
    // `vite --config web/widget/vite.config.ts` for development against a running server.
    proxy: {
      '/api': api,
      '/socket.io': { target: api, ws: true },
    },
  },
});
