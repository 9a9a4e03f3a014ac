// ESLint flat config: `npm run lint` checks the TypeScript sources (packages/*/src, bench/).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/', '**/node_modules/', '**/coverage/', '**/test-results/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      // `declare global { namespace Express … }` is how Express's Request type is augmented.
      '@typescript-eslint/no-namespace': ['error', { allowDeclarations: true }],
      // Fields are dropped from a row by rest destructuring (`const { id: _id, ...row } = …`).
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      // A variable a closure reads before its one later assignment (the app's verify lane) stays `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
);
