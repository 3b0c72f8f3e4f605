import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

// Built from the repo root (`vite build --config web/inbox/vite.config.ts`), so every path is anchored here.
const root = fileURLToPath(new URL('.', import.meta.url));
const backend = process.env.INBOX_DEV_BACKEND ?? 'http://localhost:3000';

export default defineConfig({
  root,
  base: '/inbox/',
  plugins: [svelte({ configFile: false })],
  build: {
    outDir: resolve(root, '../../dist/web/inbox'),
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/socket.io': { target: backend, ws: true, changeOrigin: false },
    },
  },
});
