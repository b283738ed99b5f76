// ESLint: type-aware TypeScript rules, Svelte, and import rules that keep the layers apart.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

const NODE_BUILTINS = { group: ['node:*'], message: 'shared/ and renderer/ are pure: no Node built-ins.' };
const ELECTRON = { name: 'electron', message: "Only electron/main and electron/preload import 'electron'." };

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'tests/fixtures/**', 'resources/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  ...svelte.configs.recommended,
  prettier,
  ...svelte.configs.prettier,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
      },
      globals: { ...globals.node, ...globals.browser },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, svelteConfig } },
  },
  // Layering: shared/ is pure, the renderer only talks to the API, only electron/main and preload know Electron.
  {
    files: ['shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [ELECTRON, 'svelte', 'fs', 'path', 'child_process'],
          patterns: [
            NODE_BUILTINS,
            { group: ['**/electron/**', '**/renderer/**'], message: 'shared/ imports nothing outside shared/.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [ELECTRON, 'fs', 'path', 'child_process'],
          patterns: [
            NODE_BUILTINS,
            { group: ['**/electron/**'], message: 'The renderer reaches the machine only through the API.' },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/host/**', 'electron/server/**', 'electron/cli/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [ELECTRON],
          patterns: [{ group: ['**/renderer/**'], message: 'Node code does not import the renderer.' }],
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
