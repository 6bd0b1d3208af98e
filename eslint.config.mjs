import nx from '@nx/eslint-plugin';

/**
 * The rule's options: what each `type:*` may import, plus `testOnly` for test files. Projects
 * carry only `type:*` tags: apps and libs are told apart by type, and nothing yet needs a
 * `scope:*` boundary (one product, no teams; the apps never import each other).
 */
function moduleBoundaries(testOnly) {
  return {
    enforceBuildableLibDependency: true,
    allow: [],
    depConstraints: [
      {
        sourceTag: 'type:app',
        onlyDependOnLibsWithTags: ['type:data-access', 'type:util', ...testOnly],
      },
      { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:util', ...testOnly] },
      { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', ...testOnly] },
      {
        sourceTag: 'type:testing',
        onlyDependOnLibsWithTags: ['type:testing', 'type:data-access', 'type:util'],
      },
      {
        sourceTag: 'type:tool',
        onlyDependOnLibsWithTags: ['type:testing', 'type:data-access', 'type:util'],
      },
    ],
  };
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/tmp', '**/coverage', '**/.nx'],
  },
  {
    files: ['**/*.ts'],
    rules: {
      // Who may import whom (STYLE.md §2.1). No "*" wildcard: an untagged project may depend
      // on nothing, so forgetting a tag fails lint instead of silently allowing everything.
      // Production sources never import a type:testing project (test support, processes).
      '@nx/enforce-module-boundaries': ['error', moduleBoundaries([])],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Specs and test-support entry points (`testing.ts`, `testing/`) may use type:testing.
    files: ['**/*.spec.ts', '**/src/testing.ts', '**/src/testing/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', moduleBoundaries(['type:testing'])],
    },
  },
];
