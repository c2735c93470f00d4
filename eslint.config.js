import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
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
    // The runner reads a stdout line starting with '::' as a workflow command: every log line goes
    // through src/action/log.ts, which escapes text from outside (src/policy/untrusted-text.ts).
    files: ['src/**/*.ts'],
    ignores: ['src/action/log.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['info', 'warning', 'notice', 'error', 'debug', 'startGroup', 'endGroup', 'group'].map(
          property => ({
            object: 'core',
            property,
            message:
              'Log through src/action/log.ts (log.info(line`...`)), which escapes untrusted text.'
          })
        )
      ]
    }
  },
  {
    // The Arazzo engine is a library: the GitHub layer adapts it, never the reverse.
    // Shared policies are pure too, so every part can use them.
    files: ['src/arazzo/**/*.ts', 'src/policy/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@actions/*'],
              message: 'The engine and policies must not depend on @actions/*.'
            },
            {
              group: ['../action/*', '../main.js'],
              message: 'The GitHub layer adapts the engine, never the reverse.'
            }
          ]
        }
      ]
    }
  }
)
