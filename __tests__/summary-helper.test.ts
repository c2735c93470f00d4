import { buildSummary } from '../src/action/reporting/summary-helper.js'

describe('buildSummary', () => {
  test('every value from outside is escaped, code blocks included', () => {
    const summary = buildSummary({
      records: [
        {
          label: 'subject 1',
          requestId: '</td><h1>id</h1>',
          status: 'failed',
          failReason: 'x\n\n[link](https://evil.example) <img src=x>',
          urls: [],
          polls: 2,
          startedAt: 0,
          finishedAt: 1000,
          workflowOutputs: {}
        }
      ],
      workflowTitle: 'T\n\n<script>x</script>',
      now: 1000,
      problems: ['request 1 failed: <b>x</b>\n\nmarkdown'],
      resumeHint: 'request-ids: 1</code></pre><h1>FORGED</h1>',
      facts: {
        apiHost: 'amplitude.com',
        dateRange: '2024-01-01 to <b>2024</b>',
        expiring: [{ requestId: '<img src=x>', expires: 'soon\n\n<script>x</script>' }],
        artifact: { name: '<b>dsar</b>', url: '"><img src=x>', id: 1, retentionDays: 1 }
      }
    })
    const html = summary.stringify()
    summary.emptyBuffer()
    expect(html).not.toMatch(/<(h1|img|script|b)\b/)
    expect(html.trimEnd()).not.toMatch(/\n\s*\n/)
    expect(html).toContain('request-ids: 1&lt;/code&gt;&lt;/pre&gt;&lt;h1&gt;FORGED')
  })
})
