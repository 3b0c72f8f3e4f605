import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/** Builds the embeddable loader: one minified IIFE at dist/web/widget.js, no dependencies. */
const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '../..');

export default defineConfig({
  root: here,
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: resolve(repo, 'dist/web'),
    // dist/web also holds the inbox and widget apps: never wipe it from here.
    emptyOutDir: false,
    copyPublicDir: false,
    target: 'es2019',
    minify: true,
    sourcemap: false,
    lib: {
      entry: resolve(here, 'loader.ts'),
      formats: ['iife'],
      name: 'PrivacyInboxWidgetLoader',
      fileName: () => 'widget.js',
    },
  },
});
