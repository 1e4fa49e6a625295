// Lint for `npm test` (runs from `pretest`): typescript-eslint with type information, so the rules
// that matter on a server (promises, thrown values, exhaustive switches) see real types.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.tap/'] },

  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      // One TypeScript program from tsconfig.json, which includes src/ and test/ (about a quarter
      // less CPU and memory here than `projectService`).
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' }, // a stale eslint-disable is a lie
    rules: {
      // --- Promises: on a server an unhandled promise is a crash or a lost error.
      // Tap's subtests and async asserts are awaited by tap itself (t.waitOn), so calling them
      // without `await` is the house style for tests and not a floating promise.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: '@tapjs/test', name: ['test', 'skip', 'todo', 'only'] },
            { from: 'package', package: '@tapjs/asserts', name: ['rejects', 'resolves', 'resolveMatch'] },
          ],
        },
      ],
      // An async callback where a void one is expected (event handlers, express) drops its rejection.
      '@typescript-eslint/no-misused-promises': 'error',
      // `await` on a non-promise hides a missing call or a sync API mistaken for an async one.
      '@typescript-eslint/await-thenable': 'error',
      // `return promise` inside try/catch skips the catch; that is the only return-await we want.
      '@typescript-eslint/return-await': ['error', 'error-handling-correctness-only'],

      // --- Errors: the error serializer and the logs need real Error objects (stack, cause).
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',

      // --- Types the code leans on.
      // MAC styles, TFTP opcodes, decisions are unions: a switch without `default` must name every
      // member, so adding one breaks the build there; a deliberate `default` covers the rest.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      // The house writes `import type` (DESIGN.md); verbatimModuleSyntax keeps it erasable.
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports' },
      ],
      // `_name` marks a parameter or binding kept on purpose (interface shape, express's 4-arity
      // error handler, destructuring to omit a key).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // zod 4, express 5 and node-forge deprecate APIs we use; find them before they are removed.
      '@typescript-eslint/no-deprecated': 'error',

      // --- Off, on purpose.
      // The Store interface is async by contract (DESIGN.md); the memory backend and many tap
      // callbacks are async without awaiting anything, and that is correct.
      '@typescript-eslint/require-await': 'off',
      // Messages interpolate numbers, booleans and null (ports, counts, "got 11"): allowed; objects
      // and `any` are still refused, since they print "[object Object]".
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowNullish: true, allowAny: false, allowRegExp: false },
      ],
      // `!` is used deliberately after a check the compiler cannot follow (noUncheckedIndexedAccess
      // on an index just proven in range); the type checker already forbids the careless cases.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },

  {
    // Tests read parsed JSON bodies and child-process output, which are `any` by nature; a wrong
    // shape fails the assertion right there, so the no-unsafe-* family only adds noise in tests.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // A reply's parsed JSON body is typed `any` on purpose (test/helpers/http.ts).
      '@typescript-eslint/no-explicit-any': 'off',
      // Same reason: `${body.id}` in a URL is an `any` from a JSON body.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowNullish: true, allowAny: true, allowRegExp: false },
      ],
    },
  },

  {
    // This file is plain JS outside tsconfig.json: lint it without type information.
    files: ['**/*.js'],
    extends: [js.configs.recommended],
  },

  {
    // The web console's browser modules (served as they are, no build step).
    files: ['src/web/assets/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
);
