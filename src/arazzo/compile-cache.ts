/**
 * Memoization of compiled expressions, values and criteria on the document objects they were
 * compiled from. The validator compiles everything once at load time to report errors; the
 * runner and the request builder then reuse these per-object caches so a step that polls a
 * thousand times does not re-parse its expressions a thousand times. Keyed weakly, so a
 * document that is dropped takes its compilations with it.
 */

const compileCache = new WeakMap<object, Map<string, unknown>>()

/**
 * Memoizes a compilation on the object it came from (a parameter, a criterion...), so the
 * runner compiles each expression once however often a step polls.
 */
export function cached<T>(owner: object, key: string, make: () => T): T {
  let entries = compileCache.get(owner)
  if (!entries) {
    entries = new Map()
    compileCache.set(owner, entries)
  }
  if (!entries.has(key)) entries.set(key, make())
  return entries.get(key) as T
}
