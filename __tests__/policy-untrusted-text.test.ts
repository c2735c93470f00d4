import { forHtml, forLog, forMarkdown, safeLogLines } from '../src/policy/untrusted-text.js'

/** Every physical line the runner would read, and whether any is a workflow command. */
function startsCommand(logged: string): boolean {
  return logged.split(/\r\n|\r|\n/).some(line => /^\s*::/.test(line))
}

describe('forLog', () => {
  test.each([
    '::add-mask::x',
    '  ::stop-commands::tok',
    'ok\n::set-output name=a::b',
    'ok\r::error::forged',
    'a\u2028::warning::b',
    '\n\n::group::x'
  ])('%j cannot start a workflow command', text => {
    const logged = forLog(text)
    expect(startsCommand(logged)).toBe(false)
    expect(logged).not.toMatch(/[\r\n\u2028]/)
  })

  test('ordinary text is unchanged', () => {
    expect(forLog('request 53367 done after 3 polls')).toBe('request 53367 done after 3 polls')
    expect(forLog('a::b')).toBe('a::b')
  })
})

describe('safeLogLines', () => {
  test('keeps the action’s own line breaks, breaks every command start', () => {
    const logged = safeLogLines('first\n::error::x\n  ::add-mask::y\nlast\r::debug::z')
    expect(logged.split('\n')).toHaveLength(4)
    expect(startsCommand(logged)).toBe(false)
  })
})

describe('forHtml', () => {
  test('markup and line breaks are inert', () => {
    const out = forHtml('</code></pre><h1>FORGED</h1>\n\n[x](https://evil.example) "\'&')
    expect(out).not.toMatch(/[<>"'\n]/)
    expect(out).toContain('&lt;/code&gt;')
    expect(out).toContain('&amp;')
  })
})

describe('forMarkdown', () => {
  test('links, images, mentions, references, tables and HTML are inert', () => {
    const out = forMarkdown('![i](https://x/y.png) [l](u) @org/team #12 a|b <b>x</b>\n\n# head')
    // Only entities remain where a special character was.
    expect(out.replace(/&#\d+;/g, '')).not.toMatch(/[[\]()!@#|<>&\n]/)
    expect(out).toContain('&#64;org/team')
  })

  test('letters, digits and spaces stay readable', () => {
    expect(forMarkdown('Ticket 42 from Alice')).toBe('Ticket 42 from Alice')
  })
})

describe('exact renderings (what a reader sees)', () => {
  test('forLog: each control character is shown by name or code, nothing else changes', () => {
    expect(forLog('a\nb\rc\td\u0007e\u001bf\u0085g\u2028h\u2029i\u007fj')).toBe(
      'a\\nb\\rc\\td\\u0007e\\u001bf\\u0085g\\u2028h\\u2029i\\u007fj'
    )
  })

  test('forLog: a command start gets a zero-width space after its blanks, the rest is kept', () => {
    expect(forLog('  ::add-mask::x')).toBe('  \u200b::add-mask::x')
    expect(forLog('::error::x')).toBe('\u200b::error::x')
  })

  test('safeLogLines: a carriage return is shown, the action’s own line breaks stay', () => {
    expect(safeLogLines('one\r::error::x\n  ::warning::y\nthree')).toBe(
      'one\\r::error::x\n  \u200b::warning::y\nthree'
    )
  })

  test('forHtml: the five characters as entities, line breaks and controls as spaces', () => {
    expect(forHtml(`a&b<c>d"e'f\ng\u0007h`)).toBe('a&amp;b&lt;c&gt;d&quot;e&#39;f g h')
  })

  test('forMarkdown: special characters as numeric entities, line breaks as spaces', () => {
    expect(forMarkdown('[x](y) @a #1 *b*\n_c_ `d` |')).toBe(
      '&#91;x&#93;&#40;y&#41; &#64;a &#35;1 &#42;b&#42; &#95;c&#95; &#96;d&#96; &#124;'
    )
  })
})
