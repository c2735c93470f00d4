import js from '@eslint/js'
import jest from 'eslint-plugin-jest'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'reports/', '.stryker-tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
      ],
      // The engine must never evaluate document text as code.
      'no-eval': 'error',
      'no-new-func': 'error',
      'no-implied-eval': 'error'
    }
  },
  {
    // Type-aware rules: a promise nobody awaits, a thrown non-Error, a switch that misses a case
    // of its union, an assertion that asserts nothing. (The no-unsafe-* family is left out: the
    // `any`s it finds are parsed JSON and YAML, checked by shape where they are read.)
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname }
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true }
      ],
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-redundant-type-constituents': 'off',
      // An AbortSignal's reason is rejected as the caller gave it.
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off'
    }
  },
  {
    files: ['__tests__/**/*.ts'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      // Rows of the reliability matrices are tests declared by Report.row(), with their expects.
      'jest/expect-expect': ['error', { assertFunctionNames: ['expect*', 'fc.assert'] }],
      'jest/no-standalone-expect': ['error', { additionalTestBlockFunctions: ['report.row'] }]
    }
  },
  {
    // The reliability Report declares each row as a test (test / test.concurrent) by name.
    files: ['__tests__/reliability/support.ts'],
    rules: { 'jest/no-export': 'off', 'jest/valid-title': 'off', 'jest/expect-expect': 'off' }
  },
  {
    // Matrix rows keep their expectations in the row tables (`expect: (run) => ...`), which run
    // inside the row's test; the rule cannot follow them there.
    files: ['__tests__/reliability/*.test.ts'],
    rules: { 'jest/no-standalone-expect': 'off' }
  },
  {
    // The runner reads a stdout line starting with '::' as a workflow command: every log line goes
    // through src/run/log.ts, which escapes text from outside (src/policy/untrusted-text.ts).
    files: ['src/**/*.ts'],
    ignores: ['src/run/log.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['info', 'warning', 'notice', 'error', 'debug', 'startGroup', 'endGroup', 'group'].map(
          property => ({
            object: 'core',
            property,
            message:
              'Log through src/run/log.ts (log.info(line`...`)), which escapes untrusted text.'
          })
        )
      ]
    }
  },
  // Imports go one way: action -> ledger -> run core -> export -> engine / policies (see
  // CONTRIBUTING.md), and a part is entered only through its index.ts.
  ...importRules()
)

/**
 * One `no-restricted-imports` entry per part (a later entry would replace an earlier one for the
 * same files, so each part gets the whole list): what it may not import, plus the index rule.
 */
function importRules() {
  const throughIndex = {
    regex: '^(\\.\\./)+(arazzo|policy|export|run|ledger|simulator)/(?!(github/)?index\\.js$)',
    message: "Import another part through its index.ts (e.g. '../run/index.js')."
  }
  const noActions = {
    group: ['@actions/*'],
    message: 'The engine and policies must not depend on @actions/*.'
  }
  const leaving = (regex, message) => ({ regex, message })
  const parts = [
    {
      files: ['src/arazzo/**/*.ts'],
      patterns: [
        noActions,
        leaving('^\\.\\./', 'The engine imports no other part: the others adapt it.')
      ]
    },
    {
      files: ['src/policy/**/*.ts'],
      patterns: [
        noActions,
        leaving('^\\.\\./', 'The shared policies are pure and import no other part.')
      ]
    },
    {
      files: ['src/export/**/*.ts'],
      patterns: [
        leaving('^\\.\\./(?!(arazzo|policy)/)', 'The export uses only the engine and the policies.')
      ]
    },
    {
      files: ['src/run/**/*.ts'],
      patterns: [
        leaving(
          '^(\\.\\./)+(action|ledger|simulator|demo)/|^(\\.\\./)+(main|index)\\.js$',
          'The run core never imports the action or the ledger: they use it.'
        )
      ]
    },
    {
      files: ['src/ledger/**/*.ts'],
      patterns: [
        leaving(
          '^(\\.\\./)+(action|simulator|demo)/|^(\\.\\./)+(main|index)\\.js$',
          'The ledger never imports the action: the action hands it what it needs.'
        )
      ]
    },
    {
      files: ['src/action/**/*.ts'],
      patterns: [
        leaving(
          '^(\\.\\./)+(simulator|demo)/|^(\\.\\./)+(main|index)\\.js$',
          'The action never imports the entry, the simulators or the demo.'
        )
      ]
    },
    { files: ['src/*.ts', 'src/simulator/**/*.ts', 'src/demo/**/*.ts'], patterns: [] }
  ]
  return parts.map(({ files, patterns }) => ({
    files,
    rules: { 'no-restricted-imports': ['error', { patterns: [...patterns, throughIndex] }] }
  }))
}
