import js from '@eslint/js';
import regexp from 'eslint-plugin-regexp';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.tmp/**', 'bench/results/**', 'bench/.corpora/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        queueMicrotask: 'readonly',
        structuredClone: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // The ingest worker speaks only the knowledge-base repository contract (store/repository.ts), so
  // that every store implementation runs it unchanged: nothing under src/ingest/ reaches SQLite
  // itself. The store it works on comes from store/open-repository.ts.
  {
    files: ['packages/carrel/src/ingest/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'better-sqlite3', message: 'The ingest worker reads and writes through KnowledgeRepository (store/repository.ts).' },
          ],
          patterns: [
            {
              group: ['**/store/sqlite', '**/store/sqlite/**'],
              message: 'The ingest worker reads and writes through KnowledgeRepository (store/repository.ts).',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportExpression[source.value=/better-sqlite3|store\\/sqlite/]',
          message: 'The ingest worker reads and writes through KnowledgeRepository (store/repository.ts).',
        },
      ],
    },
  },
  // One store implementation never reaches into another's modules: what they share (records,
  // rules, the node-side vector scan) lives beside repository.ts, store-neutral.
  {
    files: ['packages/carrel/src/store/postgres/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'better-sqlite3', message: 'The PostgreSQL store shares only store-neutral modules with the SQLite one.' }],
          patterns: [
            {
              group: ['**/store/sqlite', '**/store/sqlite/**', '../sqlite/**'],
              message: 'The PostgreSQL store shares only store-neutral modules with the SQLite one.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/carrel/src/store/sqlite/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'pg', message: 'The SQLite store shares only store-neutral modules with the PostgreSQL one.' }],
          patterns: [
            {
              group: ['**/store/postgres', '**/store/postgres/**', '../postgres/**'],
              message: 'The SQLite store shares only store-neutral modules with the PostgreSQL one.',
            },
          ],
        },
      ],
    },
  },
  // What the stores share (records, rules, the node-side vector scan) is store-neutral: only
  // open-repository.ts, which picks the implementation, knows them.
  {
    files: ['packages/carrel/src/store/*.ts'],
    ignores: ['packages/carrel/src/store/open-repository.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'better-sqlite3', message: 'Modules beside repository.ts are store-neutral; SQLite code lives in store/sqlite/.' },
            { name: 'pg', message: 'Modules beside repository.ts are store-neutral; PostgreSQL code lives in store/postgres/.' },
          ],
          patterns: [
            {
              group: ['./sqlite/**', './postgres/**'],
              message: 'Modules beside repository.ts are store-neutral: they never reach into one store implementation.',
            },
          ],
        },
      ],
    },
  },
  // Regular expressions see user text (documents, URLs, paths, queries, headers), and one that
  // backtracks super-linearly lets a few kilobytes stall a process: a 3 KB heading line took 13 s
  // in the old chunker. `no-super-linear-move` also covers a pattern that is linear from one start
  // position but retried from every position, which is how `replace`, `split`, `match` and
  // `search` run it over a long input. Patterns built at run time (`new RegExp`) are invisible to
  // these rules: do not build one from user text.
  {
    plugins: { regexp },
    rules: {
      'regexp/no-super-linear-backtracking': ['error', { report: 'potential' }],
      'regexp/no-super-linear-move': ['error', { report: 'potential', ignoreSticky: false, ignorePartial: false }],
    },
  },
);
