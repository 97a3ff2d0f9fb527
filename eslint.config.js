// ESLint, flat config: ESLint's and typescript-eslint's recommended rules, plus the type-aware
// rules that catch what hurts an action most (a promise nobody awaits ends the run early or
// swallows its error). Formatting is Prettier's job (.prettierrc.json), not ESLint's.
import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default defineConfig(
  { ignores: ['dist/', 'coverage/', 'node_modules/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      // tsconfig.test.json covers src/, __tests__/ and scripts/ (tsconfig.json only src/).
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname }
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // `_name` marks a parameter or binding that is there on purpose (a callback's shape, a rest pick).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }
      ]
    }
  },
  {
    // Tests read the fakes' and fixtures' JSON, untyped by nature: `any` there is explicit and local.
    files: ['__tests__/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' }
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: globals.node }
  }
)
