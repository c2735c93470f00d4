/**
 * The two criterion libraries, loaded only when a document needs them: re2js for `regex`
 * conditions (and for the match() and search() functions of JSONPath ones), jsonpath-rfc9535 for
 * `jsonpath` ones. The built-in workflows use simple
 * conditions only, so a run of them never loads (or, once bundled, never even reads) either
 * library; the bundle keeps each in a chunk of its own behind these dynamic imports.
 *
 * Compiling a criterion is synchronous (validation and the runner do it), loading a module is
 * not: the loader calls `loadCriterionEngines(criterionEnginesNeeded(document))` once, before it
 * validates the document, and the criteria modules then take the engines from here. Code that
 * compiles criteria without the loader (unit tests) loads them first the same way.
 */
import { ArazzoError } from './errors.js'

type Re2Module = typeof import('re2js')
type JsonPathModule = typeof import('jsonpath-rfc9535')
type JsonPathParser = typeof import('jsonpath-rfc9535/parser').default

export interface CriterionEngines {
  regex?: boolean
  jsonpath?: boolean
}

let re2: Re2Module['RE2JS'] | undefined
let jsonPath: { query: JsonPathModule['query']; parse: JsonPathParser } | undefined

/** Loads the engines asked for (both when called without arguments); loading twice is free. */
export async function loadCriterionEngines(
  needed: CriterionEngines = { regex: true, jsonpath: true }
): Promise<void> {
  if (needed.regex && !re2) re2 = (await import('re2js')).RE2JS
  if (needed.jsonpath && !jsonPath) {
    const [library, parser] = await Promise.all([
      import('jsonpath-rfc9535'),
      import('jsonpath-rfc9535/parser')
    ])
    jsonPath = { query: library.query, parse: parser.default }
  }
}

/** The RE2 engine; an error when nothing loaded it (a caller bypassed the loader). */
export function re2Engine(): Re2Module['RE2JS'] {
  if (!re2) throw new ArazzoError('the regex engine is not loaded (loadCriterionEngines)')
  return re2
}

/** The RFC 9535 engine; an error when nothing loaded it (a caller bypassed the loader). */
export function jsonPathEngine(): NonNullable<typeof jsonPath> {
  if (!jsonPath) throw new ArazzoError('the JSONPath engine is not loaded (loadCriterionEngines)')
  return jsonPath
}

/**
 * Which engines a parsed document's criteria need. Looks at every object in it (criteria sit in
 * steps, actions and components, and unknown places must not slip past), iteratively and once
 * per object, so neither a deeply nested nor a self-referencing (YAML alias) document can
 * overflow the stack or loop.
 */
export function criterionEnginesNeeded(document: unknown): CriterionEngines {
  const needed: CriterionEngines = {}
  const seen = new Set<object>()
  const stack: unknown[] = [document]
  while (stack.length > 0 && !(needed.regex && needed.jsonpath)) {
    const value = stack.pop()
    if (typeof value !== 'object' || value === null || seen.has(value)) continue
    seen.add(value)
    const { type, condition } = value as { type?: unknown; condition?: unknown }
    if ('condition' in value) {
      if (type === 'regex') needed.regex = true
      const kind =
        typeof type === 'object' && type !== null ? (type as { type?: unknown }).type : type
      if (kind === 'jsonpath') {
        needed.jsonpath = true
        // RFC 9535's match() and search() run on RE2 (safe-regex.ts); a template may write them.
        if (typeof condition !== 'string' || /match|search|\{\$/.test(condition)) {
          needed.regex = true
        }
      }
    }
    for (const child of Object.values(value)) {
      if (typeof child === 'object' && child !== null) stack.push(child)
    }
  }
  return needed
}
