// Lint for the whole tree: TypeScript (typescript-eslint's syntactic rules, without type information), Svelte 5
// components and .svelte.ts state, the config files at the root, and the layout rule that keeps lines
// readable. Formatting itself is Prettier's (`npm run format`); eslint-config-prettier turns off every
// stylistic rule that would fight it.
import { defineConfig, globalIgnores } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default defineConfig(
  // packages/client/src/schema.ts is generated from the OpenAPI document (npm run client:generate).
  globalIgnores(['node_modules/', 'dist/', 'data/', 'drizzle/migrations/', '.tmp/', 'packages/client/src/schema.ts']),
  js.configs.recommended,
  tseslint.configs.recommended,
  svelte.configs['flat/recommended'],
  prettier,
  svelte.configs['flat/prettier'],
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // Every line, strings, comments, URLs and regex literals included: long ones are split or built from parts.
      'max-len': ['error', { code: 120 }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
);
