/**
 * Conformance against Arazzo documents written outside this project (README.md beside this file
 * gives each one's provenance and licence):
 * - the OAI Arazzo-Specification's examples, the 1.0.1 text's root example and its schema test
 *   documents: the correct ones load; each known-buggy one is refused for its bug, and loads once
 *   that bug alone is corrected (so the bug listed is the only thing wrong with it);
 * - Jentic's arazzo-engine runner fixtures: each is refused as written, for the reasons listed
 *   (they rely on Jentic's own shorthands), and, with those corrected, runs against the responses
 *   the fixture records, giving the outputs and the number of calls the fixture expects;
 * - Redocly's Respect test documents: those within the specification load; those using Redocly's
 *   extensions (`<source>.<operationId>`, `x-operation`, `...workflows.<id>`) are refused.
 * Remote URLs the documents name are served from the stored copies by an injected SourceReader;
 * nothing leaves the machine.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ArazzoLoadError } from '../../src/arazzo/errors.js'
import { loadArazzoFile, loadArazzoText, type LoadOptions } from '../../src/arazzo/loader.js'
import type { SourceReader } from '../../src/arazzo/source-location.js'
import { validateDocument } from '../../src/arazzo/validate.js'
import { parse } from 'yaml'
import { readFixtureConfig, runFixtureCase } from './jentic-fixtures.js'

const here = import.meta.dirname

/** Remote URLs in the documents, and the stored copy that stands for each (see README.md). */
const RECORDED: Record<string, string> = {
  'https://raw.githubusercontent.com/OAI/Arazzo-Specification/main/examples/1.0.0/bnpl-openapi.yaml':
    'oai/examples/bnpl-openapi.yaml',
  'https://raw.githubusercontent.com/swagger-api/swagger-petstore/master/src/main/resources/openapi.yaml':
    'swagger-petstore/openapi.yaml',
  'https://cafe.redocly.com/_bundle/openapi/cafe.yaml': 'redocly/cafe-api-with-errors.yaml'
}
const fetched: string[] = []
const recordedReader: SourceReader = async url => {
  fetched.push(url)
  const copy = RECORDED[url]
  if (!copy) throw new Error(`no stored copy of ${url}`)
  return readFileSync(join(here, copy), 'utf8')
}
const options: LoadOptions = { sourceReader: recordedReader }

async function refusal(load: Promise<unknown>): Promise<ArazzoLoadError> {
  const outcome = await load.then(
    () => undefined,
    (error: unknown) => error
  )
  if (!(outcome instanceof ArazzoLoadError)) {
    throw new Error(
      `expected a load error, got ${outcome === undefined ? 'a load' : String(outcome)}`
    )
  }
  return outcome
}

/** The file's text with each correction applied (each must apply). */
function corrected(file: string, corrections: readonly Correction[]): string {
  let text = readFileSync(join(here, file), 'utf8')
  for (const [from, to] of corrections) {
    expect(text.includes(from)).toBe(true)
    text = text.split(from).join(to)
  }
  return text
}

/** [text as written, corrected text, why]. */
type Correction = readonly [string, string, string]

// ---------------------------------------------------------------------------------------------
// OAI Arazzo-Specification
// ---------------------------------------------------------------------------------------------

interface KnownBug {
  file: string
  refused: RegExp
  corrections: Correction[]
  /** Directories searched for source descriptions the schema tests name without shipping them. */
  fallback?: string
}

const OAI_LOADS = ['oai/examples/oauth.arazzo.yaml']
const OAI_BUGS: KnownBug[] = [
  {
    file: 'oai/examples/pet-coupons.arazzo.yaml',
    refused:
      /workflows\/0\/steps\/1: GET \/pet\/\{petId\}\/coupons needs path parameter 'petId', which no parameter of step 'find-coupons' gives \(it gives 'pet_id' in path\)/,
    corrections: [
      [
        '- name: pet_id\n            in: path',
        '- name: petId\n            in: path',
        'the operation names its path parameter petId'
      ]
    ]
  },
  {
    file: 'oai/examples/bnpl-arazzo.yaml',
    refused: /workflows\/0\/steps\/4\/outputs\/redirectUrl: .*"\$response\.headers\.Location"/,
    corrections: [
      ['$response.headers.Location', '$response.header.Location', 'the source is $response.header'],
      [
        '$steps.retrieveFinalizedPaymentPlan.finalizedPaymentPlan',
        '$steps.retrieveFinalizedPaymentPlan.outputs.finalizedPaymentPlan',
        'step outputs are read through .outputs'
      ]
    ]
  },
  {
    file: 'oai/examples/LoginAndRetrievePets.arazzo.yaml',
    refused:
      /workflows\/0\/steps\/1\/operationPath: '\/paths\/~1pet~1findByStatus' is not an operation/,
    corrections: [
      [
        "#/paths/~1pet~1findByStatus'",
        "#/paths/~1pet~1findByStatus/get'",
        'an operationPath names the method'
      ]
    ]
  },
  {
    file: 'oai/examples/FAPI-PAR.arazzo.yaml',
    refused: /unknown operationId 'PAR' in source description 'auth-api'/,
    corrections: [
      [
        '$sourceDescriptions.auth-api.PAR',
        '$sourceDescriptions.auth-api.Par',
        'operationIds are case-sensitive: the description says Par'
      ]
    ]
  },
  {
    file: 'oai/spec-1.0.1/root-example.arazzo.yaml',
    refused:
      /workflows\/0\/steps\/1\/operationPath: no source description named 'petstoreDescription'/,
    corrections: [
      [
        '$sourceDescriptions.petstoreDescription.url',
        '$sourceDescriptions.petStoreDescription.url',
        'the source is named petStoreDescription'
      ],
      [
        'https://github.com/swagger-api/swagger-petstore/blob/master/src/main/resources/openapi.yaml',
        'https://raw.githubusercontent.com/swagger-api/swagger-petstore/master/src/main/resources/openapi.yaml',
        'the blob URL is an HTML page; the raw URL is the description'
      ]
    ]
  },
  {
    file: 'oai/schema-tests/pass/bnpl-example.yaml',
    refused: /"\$response\.headers\.Location"/,
    corrections: [
      ['$response.headers.Location', '$response.header.Location', 'as the bnpl example']
    ]
  },
  {
    file: 'oai/schema-tests/pass/pet-coupons-example.yaml',
    refused: /needs path parameter 'petId', which no parameter of step 'find-coupons' gives/,
    corrections: [
      [
        '- name: pet_id\n            in: path',
        '- name: petId\n            in: path',
        'as the pet-coupons example'
      ]
    ],
    fallback: 'oai/examples'
  }
]

describe('OAI Arazzo-Specification examples and schema tests', () => {
  test.each(OAI_LOADS)('%s loads', async file => {
    const loaded = await loadArazzoFile(join(here, file), options)
    expect(loaded.document.workflows.length).toBeGreaterThan(0)
  })

  test('the oauth schema test (its description shipped with the examples) loads', async () => {
    const loaded = await loadArazzoFile(join(here, 'oai/schema-tests/pass/oauth-example.yaml'), {
      ...options,
      fallbackDescriptionDirs: [join(here, 'oai/examples')]
    })
    expect(loaded.document.workflows.map(w => w.workflowId)).toEqual([
      'refresh-token-flow',
      'client-credentials-flow',
      'authorization-code-flow'
    ])
  })

  test.each(OAI_BUGS.map(bug => [bug.file, bug] as const))(
    '%s: refused for its known bug, and loads once it alone is corrected',
    async (_file, bug) => {
      const extra = bug.fallback ? { fallbackDescriptionDirs: [join(here, bug.fallback)] } : {}
      const error = await refusal(loadArazzoFile(join(here, bug.file), { ...options, ...extra }))
      expect(error.message).toMatch(bug.refused)
      const loaded = await loadArazzoText(corrected(bug.file, bug.corrections), {
        ...options,
        ...extra,
        baseDir: join(here, bug.file, '..')
      })
      expect(loaded.document.workflows.length).toBeGreaterThan(0)
    }
  )

  test('ExtendedParametersExample: structurally valid (its animals.yaml is not in the repository)', async () => {
    const text = readFileSync(
      join(here, 'oai/examples/ExtendedParametersExample.arazzo.yaml'),
      'utf8'
    )
    expect(validateDocument(parse(text))).toEqual({ problems: [], warnings: [] })
    const error = await refusal(
      loadArazzoFile(join(here, 'oai/examples/ExtendedParametersExample.arazzo.yaml'), options)
    )
    expect(error.message).toMatch(/animals\.yaml: file not found/)
  })

  test.each(['invalid-arazzo-version.yaml', 'not-an-object.yaml'])(
    'schema test fail/%s is refused',
    async file => {
      const error = await refusal(
        loadArazzoFile(join(here, 'oai/schema-tests/fail', file), options)
      )
      expect(error.message).toMatch(/unsupported Arazzo version|must be an object/)
    }
  )
})

// ---------------------------------------------------------------------------------------------
// Jentic arazzo-engine runner fixtures
// ---------------------------------------------------------------------------------------------

interface JenticFixture {
  dir: string
  arazzo: string
  /** The source's base URL when its description gives a relative server (Jentic's base_urls). */
  serverUrl?: string
  /** Why it is refused as written (none: it runs as written). */
  refused?: RegExp
  corrections: Correction[]
}

const STEP_OUTPUT_SHORTHAND =
  "Jentic's $steps.<id>.<name> shorthand: the spec reads $steps.<id>.outputs.<name>"

const JENTIC: JenticFixture[] = [
  {
    // Its step ids hold spaces (`Plan a Trip_search_stations_0`): a SHOULD, so only warnings.
    dir: 'jentic/train',
    arazzo: 'train.arazzo.yaml',
    corrections: []
  },
  {
    dir: 'jentic/pet_coupons',
    arazzo: 'pet-coupons.arazzo.yaml',
    refused: /needs path parameter 'petId', which no parameter of step 'find-coupons' gives/,
    corrections: [
      [
        '- name: pet_id\n            in: path',
        '- name: petId\n            in: path',
        'the operation names its path parameter petId'
      ]
    ]
  },
  {
    dir: 'jentic/sample_login_workflow',
    arazzo: 'login_workflow.yaml',
    refused: /workflows\/0\/outputs\/token: Expected '\.outputs'/,
    corrections: [
      ['$steps.loginStep.token', '$steps.loginStep.outputs.token', STEP_OUTPUT_SHORTHAND],
      ['$steps.profileStep.', '$steps.profileStep.outputs.', STEP_OUTPUT_SHORTHAND]
    ]
  },
  {
    dir: 'jentic/sample_test',
    arazzo: 'example_workflow.yaml',
    refused: /workflows\/0\/outputs\/result: Expected '\.outputs'/,
    corrections: [
      ['$steps.simpleStep.message', '$steps.simpleStep.outputs.message', STEP_OUTPUT_SHORTHAND]
    ]
  }
]

/** Fixtures refused as written whose corrections would be a rewrite, and why. */
const JENTIC_NOT_RUN: [string, RegExp][] = [
  [
    'jentic/xkcd/xkcd.arazzo.yaml',
    /operationPath must look like \{\$sourceDescriptions\.<name>\.url\}#/
  ],
  ['jentic/newyork_times/newyork_times.arazzo.yaml', /operationPath must look like/]
]

describe('Jentic arazzo-engine runner fixtures', () => {
  for (const fixture of JENTIC) {
    const config = readFixtureConfig(join(here, fixture.dir))
    const file = join(fixture.dir, fixture.arazzo)

    const refused = fixture.refused
    if (refused) {
      test(`${file} as written is refused`, async () => {
        const error = await refusal(loadArazzoFile(join(here, file), options))
        expect(error.message).toMatch(refused)
      })
    }
    const how = fixture.corrections.length > 0 ? 'corrected' : 'as written'

    for (const testCase of config.workflows ?? []) {
      test(`${fixture.dir}: ${testCase.name ?? testCase.id} (${how}) runs against the recorded responses`, async () => {
        const loaded = await loadArazzoText(corrected(file, fixture.corrections), {
          ...options,
          baseDir: join(here, fixture.dir)
        })
        const run = await runFixtureCase(loaded, config, testCase, fixture.serverUrl)
        expect(run.unmatched).toEqual([])
        expect(run.result.status === 'succeeded').toBe(testCase.expect_success ?? true)
        for (const { key, expected, actual } of run.outputs) {
          expect({ key, value: actual }).toEqual({ key, value: expected })
        }
        // Not every case counts its calls.
        expect(run.requests).toHaveLength(testCase.expected_api_calls ?? run.requests.length)
      })
    }
  }

  describe('jentic/bnpl (the OAI BNPL example): the spec decides differently from the fixture', () => {
    const dir = 'jentic/bnpl'
    const file = join(dir, 'bnpl-arazzo.yaml')
    const config = readFixtureConfig(join(here, dir))
    const [testCase] = config.workflows ?? []
    const LOADING: Correction[] = [
      ['$response.headers.Location', '$response.header.Location', 'the source is $response.header'],
      [
        '$steps.retrieveFinalizedPaymentPlan.finalizedPaymentPlan',
        '$steps.retrieveFinalizedPaymentPlan.outputs.finalizedPaymentPlan',
        STEP_OUTPUT_SHORTHAND
      ]
    ]
    const run = (corrections: Correction[]) =>
      loadArazzoText(corrected(file, corrections), { ...options, baseDir: join(here, dir) }).then(
        loaded => runFixtureCase(loaded, config, testCase, 'https://api.bnpl-example.com/bnpl/v1')
      )

    test('as written it is refused ($response.headers)', async () => {
      const error = await refusal(loadArazzoFile(join(here, file), options))
      expect(error.message).toMatch(/"\$response\.headers\.Location"/)
    })

    test('loadable, it ends after the first call: its first success action matches the recorded answer', async () => {
      // onSuccess[0] `existingCustomerNotEligible` (type end) has the criterion
      // `existingCustomerNotEligible == false`, true of the recorded answer, and the first action
      // whose criteria pass wins. Jentic's expectation (6 calls) needs that criterion inverted.
      const { result, requests, unmatched } = await run(LOADING)
      expect(unmatched).toEqual([])
      expect(result.status).toBe('succeeded')
      expect(requests.map(r => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
        'POST /bnpl/v1/products'
      ])
    })

    test('with that criterion inverted, it gives the outputs the fixture expects, then stops where the example reads an output no step defines', async () => {
      const { result, requests, outputs, unmatched } = await run([
        ...LOADING,
        [
          '#/existingCustomerNotEligible == false',
          '#/existingCustomerNotEligible == true',
          'end the workflow when the existing customer is not eligible, as the prose says'
        ]
      ])
      expect(unmatched).toEqual([])
      expect(outputs.map(o => ({ [o.key]: o.actual }))).toEqual(
        outputs.map(o => ({ [o.key]: o.expected }))
      )
      expect(requests.map(r => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
        'POST /bnpl/v1/products',
        'GET /bnpl/v1/terms-and-conditions',
        'POST /bnpl/v1/customers',
        'POST /bnpl/v1/loan-transactions',
        'GET /bnpl/v1/auth'
      ])
      // retrieveFinalizedPaymentPlan reads $steps.initiateBnplTransaction.outputs.loanTransactionId,
      // an output initiateBnplTransaction does not define.
      expect(result.status).toBe('failed')
      expect(result.error?.message).toBe(
        "step 'retrieveFinalizedPaymentPlan': path parameter 'loanTransactionId' has no value"
      )
    })
  })

  test.each(JENTIC_NOT_RUN)('%s is refused as written', async (file, reason) => {
    const error = await refusal(loadArazzoFile(join(here, file), options))
    expect(error.message).toMatch(reason)
  })
})

// ---------------------------------------------------------------------------------------------
// Redocly Respect test documents
// ---------------------------------------------------------------------------------------------

const REDOCLY_LOADS = [
  'cat-fact-api/auto-cat.arazzo.yaml',
  'implicit/implicit.arazzo.yaml',
  'inputs-passed-to-step-target-workflow/inputs-passed-to-step-target-workflow.arazzo.yaml',
  'inputs-passed-to-step-target-workflow-and-remapped/inputs-passed-to-step-target-workflow-and-remapped.arazzo.yaml',
  'max-steps/arazzo.yaml',
  'replacements/replacements.arazzo.yaml',
  'reusable-components/reusable-components.arazzo.yaml',
  'step-on-failure-type-end-action/step-on-failure-type-end-action.arazzo.yaml',
  'step-on-success-type-end-action/step-on-success-type-end-action.arazzo.yaml',
  'workflow-failure-actions/workflow-failure-actions.arazzo.yaml',
  'workflow-success-actions/workflow-success-actions.arazzo.yaml',
  'cafe-menu.arazzo.yaml'
]

/** Documents using Redocly's extensions, or built to fail, with what the engine says. */
const REDOCLY_REFUSED: [string, RegExp][] = [
  [
    'case-insensitive-headers/case-insensitive-headers.arazzo.yaml',
    /unknown operationId 'cafe-api\.listMenuItems'/
  ],
  [
    'outputs-in-path-parameters/outputs-in-path-parameters.arazzo.yaml',
    /unknown operationId 'cafe-api\.listMenuItems'/
  ],
  [
    'severity-error-level/severity-level.arazzo.yaml',
    /unknown operationId 'cafe-api\.listMenuItems'/
  ],
  [
    'workflow-depends-on-failed/workflow-depends-on-failed.arazzo.yaml',
    /unknown operationId 'cafe-api\.listMenuItems'/
  ],
  [
    'outputs-access-syntax-variations/outputs-access-syntax-variations.arazzo.yaml',
    /unknown operationId 'cafe-api\.listMenuItems'/
  ],
  [
    'local-json-server/local-json-server.arazzo.yaml',
    /workflows\/2\/steps\/2: GET \/items\/\{id\} needs path parameter 'id', which no parameter of step 'get-item-by-id-auto-inherit' gives/
  ],
  [
    'free-apis/free.arazzo.yaml',
    /workflows\/0\/steps\/0: a step needs one of operationId, operationPath or workflowId/
  ],
  [
    'workflow-depends-on-not-found/workflow-depends-on-not-found.arazzo.yaml',
    /workflows\/0\/dependsOn\/0: 'cafe-api' is an OpenAPI source description, which has no workflows/
  ]
]

describe('Redocly Respect test documents', () => {
  test.each(REDOCLY_LOADS)('redocly/%s loads', async file => {
    const loaded = await loadArazzoFile(join(here, 'redocly', file), options)
    expect(loaded.document.workflows.length).toBeGreaterThan(0)
  })

  test.each(REDOCLY_REFUSED)('redocly/%s is refused', async (file, reason) => {
    const error = await refusal(loadArazzoFile(join(here, 'redocly', file), options))
    expect(error.message).toMatch(reason)
  })
})

test('remote URLs were served from the stored copies only', () => {
  expect(fetched.filter(url => !(url in RECORDED))).toEqual([])
  expect(new Set(fetched)).toEqual(new Set(Object.keys(RECORDED)))
})
