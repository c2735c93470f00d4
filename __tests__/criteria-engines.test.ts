import { criterionEnginesNeeded } from '../src/arazzo/criteria-engines.js'

const step = (criteria: unknown[]) => ({
  workflows: [{ workflowId: 'w', steps: [{ stepId: 's', successCriteria: criteria }] }]
})

describe('criterionEnginesNeeded: the libraries a document makes the loader load', () => {
  test('simple conditions need neither', () => {
    expect(criterionEnginesNeeded(step([{ condition: '$statusCode == 200' }]))).toEqual({})
    expect(
      criterionEnginesNeeded(step([{ condition: '$statusCode == 200', type: 'simple' }]))
    ).toEqual({})
  })

  test('a regex criterion needs RE2, a jsonpath one (either spelling) needs JSONPath', () => {
    const regex = { context: '$statusCode', condition: '^2', type: 'regex' }
    const jsonpath = { condition: '$.a', type: 'jsonpath' }
    const typed = { condition: '$.a', type: { type: 'jsonpath', version: 'rfc9535' } }
    expect(criterionEnginesNeeded(step([regex]))).toEqual({ regex: true })
    expect(criterionEnginesNeeded(step([jsonpath]))).toEqual({ jsonpath: true })
    expect(criterionEnginesNeeded(step([typed]))).toEqual({ jsonpath: true })
    expect(criterionEnginesNeeded(step([regex, typed]))).toEqual({ regex: true, jsonpath: true })
  })

  test('criteria anywhere count: actions, components, unknown places', () => {
    const inAction = {
      workflows: [
        {
          steps: [
            {
              onFailure: [
                {
                  name: 'r',
                  type: 'retry',
                  criteria: [{ condition: 'x', type: 'regex', context: '$statusCode' }]
                }
              ]
            }
          ]
        }
      ]
    }
    const inComponents = {
      components: {
        successActions: { done: { criteria: [{ condition: '$.x', type: 'jsonpath' }] } }
      }
    }
    expect(criterionEnginesNeeded(inAction)).toEqual({ regex: true })
    expect(criterionEnginesNeeded(inComponents)).toEqual({ jsonpath: true })
    expect(criterionEnginesNeeded({ 'x-anything': [[{ condition: 'c', type: 'regex' }]] })).toEqual(
      {
        regex: true
      }
    )
  })

  test('a `type` outside a criterion (an action type, a schema type) is not a criterion', () => {
    const doc = {
      components: { inputs: { a: { type: 'regex' } } },
      workflows: [{ steps: [{ onSuccess: [{ name: 'n', type: 'jsonpath' }] }] }]
    }
    expect(criterionEnginesNeeded(doc)).toEqual({})
  })

  test('deep nesting and self-references neither overflow nor loop', () => {
    let deep: unknown = { condition: 'c', type: 'regex' }
    for (let i = 0; i < 200_000; i++) deep = [deep]
    expect(criterionEnginesNeeded(deep)).toEqual({ regex: true })
    const cyclic: Record<string, unknown> = { condition: '$.a', type: 'jsonpath' }
    cyclic.self = cyclic
    expect(criterionEnginesNeeded({ a: cyclic, b: [cyclic, cyclic] })).toEqual({ jsonpath: true })
  })
})

test('a jsonpath criterion needs RE2 too when it may call match() or search()', () => {
  const jsonpath = (condition: string) =>
    step([{ condition, type: 'jsonpath', context: '$response.body' }])
  expect(criterionEnginesNeeded(jsonpath("$[?@.status == 'done']"))).toEqual({ jsonpath: true })
  expect(criterionEnginesNeeded(jsonpath("$[?match(@.status, 'do.e')]"))).toEqual({
    jsonpath: true,
    regex: true
  })
  expect(criterionEnginesNeeded(jsonpath("$[?search(@.s, 'x')]"))).toEqual({
    jsonpath: true,
    regex: true
  })
  // A template can write anything once rendered.
  expect(criterionEnginesNeeded(jsonpath("$[?@.s == '{$inputs.x}']"))).toEqual({
    jsonpath: true,
    regex: true
  })
})
