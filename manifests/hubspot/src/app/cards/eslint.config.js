// HubSpot's rules for UI extensions (no HTML elements, no native fetch, no DOM or browser storage …), what
// `hs project lint` runs, plus TypeScript and the rules of hooks. eslint 9: HubSpot's config does not take 10 yet.
import js from '@eslint/js';
import { config as uiExtensions } from '@hubspot/eslint-config-ui-extensions';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...uiExtensions,
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
