import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const connectorsDir = path.resolve(import.meta.dirname, 'connectors');

/** Core never imports a platform connector: resolves each relative import and refuses the top-level connectors/. */
const layering = {
  rules: {
    'core-never-imports-connectors': {
      meta: { type: 'problem', messages: { forbidden: 'core never imports a connector ({{source}})' } },
      create(context) {
        return {
          ImportDeclaration(node) {
            const source = node.source.value;
            if (typeof source !== 'string' || !source.startsWith('.')) return;
            const target = path.resolve(path.dirname(context.filename), source);
            if (target === connectorsDir || target.startsWith(connectorsDir + path.sep)) context.report({ node, messageId: 'forbidden', data: { source } });
          },
        };
      },
    },
  },
};

export default tseslint.config(
  // The HubSpot card has its own lint (HubSpot's rules need eslint 9): manifests/hubspot/src/app/cards/eslint.config.js.
  // The Salesforce package's LWC and Apex are Salesforce's dialects (decorators, jest globals): not this lint's to read.
  { ignores: ['node_modules/', '.threadline/', 'coverage/', 'manifests/**/node_modules/', 'manifests/hubspot/src/app/cards/', 'manifests/salesforce/force-app/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['core/**/*.ts'],
    plugins: { layering },
    rules: { 'layering/core-never-imports-connectors': 'error' },
  },
  {
    // The console's page scripts run in the browser, as plain scripts (server/console/assets).
    files: ['server/console/assets/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { window: 'readonly', document: 'readonly', fetch: 'readonly', console: 'readonly', URL: 'readonly', URLSearchParams: 'readonly', FormData: 'readonly', Intl: 'readonly', uPlot: 'readonly', FB: 'readonly', HTMLElement: 'readonly', Event: 'readonly', MessageEvent: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', matchMedia: 'readonly', requestAnimationFrame: 'readonly', ResizeObserver: 'readonly', Blob: 'readonly' } },
  },
  {
    files: ['*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' } },
  },
);
