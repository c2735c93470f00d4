/**
 * The rule: no regular expression built into src/ledger, src/action or src/run runs on the native
 * (backtracking) engine unless it is provably linear (support/regex-linearity.ts). Issue bodies,
 * GitHub answers, server answers and error messages reach these modules; one cubic pattern in the
 * issue-form reader blocked a whole sweep for 106 s on a 8 KB line. Every regex literal and every
 * `new RegExp(...)` in those folders is found through the TypeScript syntax tree and checked;
 * RE2 patterns (re2js) are not JavaScript RegExps and are not found here.
 *
 * TRUSTED lists the only patterns that are not proven linear, each with why its text never comes
 * from outside; an entry that no longer matches a pattern fails, so the list cannot go stale.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'
import { repoRoot } from './support/action-harness.js'
import { provablyLinear } from './support/regex-linearity.js'

const FOLDERS = ['src/ledger', 'src/action', 'src/run']

/** file -> source text of the pattern -> why its input is the workflow author's, not outside. */
const TRUSTED: Record<string, Record<string, string>> = {
  'src/run/duration.ts': {
    'new RegExp(`^${NUMBER}$`)':
      "the poll-interval and timeout inputs, written by the workflow's author (a DSAR issue has no duration field)",
    "new RegExp(`(${NUMBER})(ms|h|m|s)\\\\s*`, 'y')":
      "the poll-interval and timeout inputs, written by the workflow's author (a DSAR issue has no duration field)"
  }
}

interface Found {
  file: string
  line: number
  text: string
  pattern?: { source: string; flags: string }
}

function sources(): string[] {
  const files: string[] = []
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (path.endsWith('.ts')) files.push(path)
    }
  }
  for (const folder of FOLDERS) walk(join(repoRoot, folder))
  return files
}

function regexesIn(path: string): Found[] {
  const file = relative(repoRoot, path)
  const tree = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true)
  const found: Found[] = []
  const visit = (node: ts.Node): void => {
    const line = tree.getLineAndCharacterOfPosition(node.getStart()).line + 1
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const text = node.getText()
      const end = text.lastIndexOf('/')
      found.push({
        file,
        line,
        text,
        pattern: { source: text.slice(1, end), flags: text.slice(end + 1) }
      })
    } else if (
      (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
      node.expression.getText() === 'RegExp'
    ) {
      const [pattern, flags] = node.arguments ?? []
      const literal = pattern && ts.isStringLiteral(pattern) ? pattern.text : undefined
      const flagText = flags && ts.isStringLiteral(flags) ? flags.text : ''
      found.push({
        file,
        line,
        text: node.getText(),
        pattern: literal === undefined ? undefined : { source: literal, flags: flagText }
      })
    }
    ts.forEachChild(node, visit)
  }
  visit(tree)
  return found
}

const all = sources().flatMap(regexesIn)

test('the sources have regexes to check (the walk found them)', () => {
  expect(all.length).toBeGreaterThan(30)
  expect(all.some(found => found.file === 'src/ledger/form.ts')).toBe(true)
})

test('every regex in src/ledger, src/action and src/run is provably linear, or listed as trusted', () => {
  const unproven = all
    .filter(found => TRUSTED[found.file]?.[found.text] === undefined)
    .map(found => {
      const verdict = found.pattern
        ? provablyLinear(found.pattern.source, found.pattern.flags)
        : { linear: false, reason: 'a pattern built at run time' }
      return { ...found, ...verdict }
    })
    .filter(found => !found.linear)
    .map(found => `${found.file}:${found.line} ${found.text}: ${found.reason}`)
  expect(unproven).toEqual([])
})

test('every trusted entry still names a pattern in its file', () => {
  for (const [file, patterns] of Object.entries(TRUSTED)) {
    for (const text of Object.keys(patterns)) {
      expect(all.some(found => found.file === file && found.text === text)).toBe(true)
    }
  }
})

describe('the linearity proof', () => {
  test.each([
    ['^###[ \\t]+(.+?)[ \\t]*#*[ \\t]*$', '', 'the issue-form heading pattern that backtracked'],
    ['\\/+$', '', 'a run then an anchor, unanchored (quadratic)'],
    ['(a+)+$', '', 'nested quantifiers (exponential)'],
    ['^(a|a){0,30}$', '', 'a bounded repetition of an ambiguous alternation'],
    ['^(\\w)\\1+$', '', 'a backreference'],
    ['^a+b+$', '', 'two unbounded quantifiers'],
    ['^a+$', 'm', 'anchored only per line']
  ])('refuses %s (%s)', (source, flags) => {
    expect(provablyLinear(source, flags).linear).toBe(false)
  })

  test.each([
    ['^<!-- x (\\{.*\\}) -->$', ''],
    ['\\s+', 'g'],
    ['^(user|amplitude id) #[0-9a-f]{8}(, (user|amplitude id) #[0-9a-f]{8}){0,19}$', ''],
    ['\\bsig=[^&\\s"\'<>]+', 'gi'],
    ['\\r?\\n', '']
  ])('proves %s linear', (source, flags) => {
    expect(provablyLinear(source, flags).linear).toBe(true)
  })
})
