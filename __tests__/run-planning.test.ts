/**
 * Run planning reads a narrow input (src/run/planning.ts): which document, and what is asked. The
 * ledger plans each issue's form with it, handing over nothing of the settings but the document.
 */
import type { LoadedArazzo } from '../src/arazzo/index.js'
import { planDocument, planRuns, type PlanInput } from '../src/run/planning.js'
import type { RunSettings } from '../src/run/settings.js'

// Built-in plans do not read the loaded document (its workflows are known by name).
const loaded = {} as LoadedArazzo

const input: PlanInput = {
  workflow: { kind: 'builtin', name: 'amplitude' },
  basicAuth: 'a2V5OnNlY3JldA==',
  extraInputs: {},
  subjects: [
    { kind: 'userId', userId: 'u-1' },
    { kind: 'amplitudeId', amplitudeId: 42 }
  ],
  requestIds: [],
  startDate: '2024-01-01',
  endDate: '2024-02-01',
  wait: false
}

test('plans one submit per subject from the narrow input alone', () => {
  const plans = planRuns(input, loaded)
  expect(plans.map(p => [p.workflowId, p.submitOnly, p.inputs])).toEqual([
    [
      'submit',
      true,
      { basicAuth: input.basicAuth, startDate: '2024-01-01', endDate: '2024-02-01', userId: 'u-1' }
    ],
    [
      'submit',
      true,
      {
        basicAuth: input.basicAuth,
        startDate: '2024-01-01',
        endDate: '2024-02-01',
        amplitudeId: 42
      }
    ]
  ])
  expect(planRuns(input, loaded, { readStatusAfterSubmit: true })[0].workflowId).toBe(
    'submit-and-check'
  )
  expect(planRuns({ ...input, wait: true }, loaded)[0].workflowId).toBe('submit-and-poll')
})

test('planDocument keeps the document half of the settings and nothing else', () => {
  const settings = {
    ...input,
    apiUrl: 'https://amplitude.com',
    timeoutMs: 1000,
    workflowId: 'custom'
  } as unknown as RunSettings
  expect(planDocument(settings)).toEqual({
    workflow: input.workflow,
    workflowId: 'custom',
    basicAuth: input.basicAuth,
    extraInputs: {}
  })
  expect(planDocument({ ...settings, workflowId: undefined })).not.toHaveProperty('workflowId')
})
