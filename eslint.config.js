// typescript-eslint over src, test and bench. The one project-specific rule: no global fetch in
// src — every outbound call goes through the undici dispatcher that holds timeouts and pooling.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.stack/', '.cache/', '.tools/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'fetch', message: 'Use the shared undici dispatcher (src/http).' }],
      'no-console': 'error',
    },
  },
  {
    // The operator page runs in the browser: its fetch is the page's own, to the admin API.
    files: ['src/admin/page/**/*.js'],
    languageOptions: { globals: { ...globals.browser }, sourceType: 'script' },
    rules: { 'no-restricted-globals': 'off' },
  },
);
