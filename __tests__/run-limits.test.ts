import { buildSummary } from '../src/action/reporting/summary-helper.js'
import {
  fitJsonList,
  LIST_OUTPUT_LIMITS,
  MAX_SUBJECTS,
  OUTPUT_BUDGET,
  runSizeProblem,
  SUMMARY_BUDGET,
  withinBudget
} from '../src/run/run-limits.js'
import { runFacts } from '../src/action/reporting/summary-facts.js'

describe('the subject cap', () => {
  test('is derived from the budget: half of 14,400 an hour over 5h30m, at 8 per submission', () => {
    expect(MAX_SUBJECTS).toBe(4950)
    expect(runSizeProblem(4950, 'subjects')).toBeUndefined()
    expect(runSizeProblem(4951, 'subjects')).toMatch(
      /^4,951 subjects are more than the 4,950 one run may take/
    )
  })
})

describe('output limits', () => {
  test('the list outputs together stay within the output budget', () => {
    const lists = Object.values(LIST_OUTPUT_LIMITS).reduce((a, b) => a + b, 0)
    expect(lists).toBeLessThan(OUTPUT_BUDGET)
  })

  test('a JSON list keeps the whole entries that fit', () => {
    const list = Array.from({ length: 1000 }, (_, i) => ({
      requestId: String(i),
      urls: ['x'.repeat(50)]
    }))
    const text = JSON.stringify(list)
    expect(fitJsonList(text, text.length)).toBeUndefined()
    const fitted = fitJsonList(text, 10_000)!
    expect(fitted.text.length).toBeLessThanOrEqual(10_000)
    expect(fitted.total).toBe(1000)
    expect(JSON.parse(fitted.text)).toEqual(list.slice(0, fitted.kept))
    expect(fitted.kept).toBeGreaterThan(100)
    // One more would not have fitted.
    expect(JSON.stringify(list.slice(0, fitted.kept + 1)).length).toBeGreaterThan(10_000)
    expect(fitJsonList(JSON.stringify({ big: 'y'.repeat(100) }), 10)).toEqual({
      text: 'null',
      kept: 0,
      total: 1
    })
  })

  test('withinBudget counts what it leaves out', () => {
    expect(withinBudget(['aa', 'bb', 'cc'], 5, s => s.length)).toEqual({
      kept: ['aa', 'bb'],
      left: 1
    })
  })
})

describe('the job summary stays under its budget', () => {
  test('20,000 requests, files and problems: rows cut with a note, well under 1 MiB', () => {
    const records = Array.from({ length: 20_000 }, (_, i) => ({
      label: `subject ${i + 1} (user #0123abcd)`,
      requestId: String(100000 + i),
      status: 'failed',
      failReason: 'User has more than 100k events per month, which is not supported',
      urls: [],
      polls: 3,
      startedAt: 0,
      finishedAt: 1000,
      workflowOutputs: {}
    }))
    const files = Array.from({ length: 20_000 }, (_, i) => ({
      path: `/tmp/dsar/${i}/output-001.json.gz`,
      bytes: 1000,
      sha256: 'a'.repeat(64),
      events: 10,
      encrypted: false
    }))
    const settings = {
      apiUrl: 'https://amplitude.com',
      startDate: '2024-01-01',
      endDate: '2024-01-31',
      downloadPath: '/tmp/dsar',
      encryptTo: []
    }
    const summary = buildSummary({
      records,
      workflowTitle: 'T',
      now: 1000,
      files,
      problems: records.map(r => `request ${r.requestId} failed: ${r.failReason}`),
      resumeHint: `request-ids: ${records.map(r => r.requestId).join(',')}`,
      facts: runFacts(settings as never, { plans: [], records, now: 1000 }),
      notes: ['the requests output holds 10 of 20000 requests']
    })
    const html = summary.stringify()
    summary.emptyBuffer()
    expect(Buffer.byteLength(html)).toBeLessThan(SUMMARY_BUDGET + 64 * 1024)
    expect(html).toMatch(/… and \d+ more requests/)
    expect(html).toMatch(/… and \d+ more files/)
    expect(html).toMatch(/… and \d+ more<\/li>/)
    expect(html).toContain('the requests output holds 10 of 20000 requests')
  })
})
