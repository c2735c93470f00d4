/**
 * The DSAR_TEST_* hooks (src/run/test-hooks.ts): read when they hold a positive whole number of
 * milliseconds, unset when empty, ignored with a warning otherwise (a runner never sets them).
 */
import { testHooks } from '../src/run/test-hooks.js'
import { captureRunnerCommands } from './support/runner-commands.js'

const HOOKS = {
  requestTimeoutMs: 'DSAR_TEST_REQUEST_TIMEOUT_MS',
  backoffBaseMs: 'DSAR_TEST_BACKOFF_BASE_MS',
  backoffMaxMs: 'DSAR_TEST_BACKOFF_MAX_MS',
  progressEveryMs: 'DSAR_TEST_PROGRESS_EVERY_MS',
  writeSpacingMs: 'DSAR_TEST_WRITE_SPACING_MS'
} as const

const commands = captureRunnerCommands()
const saved = { ...process.env }
afterEach(() => {
  for (const name of Object.values(HOOKS)) {
    if (saved[name] === undefined) delete process.env[name]
    else process.env[name] = saved[name]
  }
})

test('unset (as on every runner): no hook, no warning', () => {
  for (const name of Object.values(HOOKS)) delete process.env[name]
  expect(testHooks()).toEqual({
    requestTimeoutMs: undefined,
    backoffBaseMs: undefined,
    backoffMaxMs: undefined,
    progressEveryMs: undefined,
    writeSpacingMs: undefined
  })
  expect(commands).toEqual([])
})

test.each(Object.entries(HOOKS))('%s is read from %s', (field, name) => {
  for (const other of Object.values(HOOKS)) delete process.env[other]
  process.env[name] = '25'
  expect(testHooks()).toMatchObject({ [field]: 25 })
  process.env[name] = ''
  expect(testHooks()[field as keyof typeof HOOKS]).toBeUndefined()
  expect(commands).toEqual([])
})

test.each(['0', '-5', '1.5', '10ms', '1e3', '1234567890'])(
  'DSAR_TEST_WRITE_SPACING_MS=%s is ignored with a warning naming it',
  text => {
    process.env.DSAR_TEST_WRITE_SPACING_MS = text
    expect(testHooks().writeSpacingMs).toBeUndefined()
    expect(commands).toEqual([
      '::warning::DSAR_TEST_WRITE_SPACING_MS is not a positive whole number of milliseconds: ignored'
    ])
  }
)
