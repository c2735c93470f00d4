import { parseDocument } from 'yaml'
import { findKeyProblem } from '../src/arazzo/duplicate-keys.js'
import { loadArazzoText } from '../src/arazzo/loader.js'

const problem = (text: string) => findKeyProblem(parseDocument(text, { uniqueKeys: false }))

describe('findKeyProblem', () => {
  test('finds a duplicate, with the pointer of its mapping', () => {
    expect(problem('a: 1\nb:\n  c: [{x: 1, x: 2}]\n')).toEqual({
      pointer: 'b/c/0',
      message: "Map keys must be unique: 'x' appears more than once"
    })
    expect(problem('a: 1\nb: 2\n')).toBeUndefined()
  })

  test('keys compare as JavaScript sees them', () => {
    expect(problem("'200': a\n200: b\n")?.message).toMatch(/'200' appears more than once/)
    expect(problem('a/b: 1\nc: {a/b: 1}\n')).toBeUndefined()
  })

  test('refuses keys that are not plain values', () => {
    expect(problem('? [a]\n: 1\n')?.message).toMatch(/is a mapping or sequence/)
    expect(problem('x: &k a\n*k : 1\n')?.message).toMatch(/is an alias/)
  })

  // The quadratic check took 69 s on a mapping this size (past Jest's 30 s safety net); the linear
  // one takes a fraction of the parse itself. Nothing is timed but by that safety net.
  test('a 100,000-key mapping with a duplicate at its end', () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => `  k${i}: ${i}`)
    const text = `x-big:\n${keys.join('\n')}\n  k7: again\n`
    expect(problem(text)).toEqual({
      pointer: 'x-big',
      message: "Map keys must be unique: 'k7' appears more than once"
    })
  })

  test('the loader refuses duplicates with where they are', async () => {
    await expect(loadArazzoText('arazzo: 1.0.1\ninfo: {title: a, title: b}\n')).rejects.toThrow(
      /not valid YAML or JSON: Map keys must be unique: 'title' appears more than once \(at info\)/
    )
  })
})
