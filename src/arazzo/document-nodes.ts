/**
 * The shared vocabulary for walking a parsed Arazzo document, used by the validator, the loader,
 * the secret-flow check and the runner alike: what counts as an object node, how a child's JSON
 * Pointer is written in load errors, the naming patterns of ids and keys, and how
 * `$components.<kind>.<name>` and `$sourceDescriptions.<name>.<rest>` references are split and
 * looked up. Pure functions and constants only; no checks are reported from here.
 */

import { escapePointerToken } from './json-pointer.js'
import type { Components } from './types.js'

export const NAME_PATTERN = /^[A-Za-z0-9_-]+$/
/** Keys of outputs and components maps. */
export const KEY_PATTERN = /^[a-zA-Z0-9.\-_]+$/
export const PARAMETER_LOCATIONS = ['path', 'query', 'header', 'cookie'] as const

export type JsonObject = Record<string, unknown>
export type ComponentKind = 'inputs' | 'parameters' | 'successActions' | 'failureActions'

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `parent/child` in the pointer style of load errors (no leading '/', RFC 6901 escapes). */
export function childPointer(parent: string, key: string | number): string {
  const token = escapePointerToken(String(key))
  return parent === '' ? token : `${parent}/${token}`
}

/** `$components.parameters.page` => { kind: 'parameters', name: 'page' } (names may hold dots). */
export function parseComponentReference(
  reference: string
): { kind: ComponentKind; name: string } | undefined {
  const match = /^\$components\.(inputs|parameters|successActions|failureActions)\.(.+)$/.exec(
    reference
  )
  return match ? { kind: match[1] as ComponentKind, name: match[2] } : undefined
}

/** The component a reference names, if the document has it. */
export function lookupComponent(
  components: Components | undefined,
  kind: ComponentKind,
  name: string
): unknown {
  const map = components?.[kind]
  return isObject(map) && Object.hasOwn(map, name) ? map[name] : undefined
}

/** `$sourceDescriptions.name.rest` split, for workflow references into other documents. */
export function parseSourceReference(
  text: string
): { sourceName: string; rest: string } | undefined {
  const match = /^\$sourceDescriptions\.([A-Za-z0-9_-]+)\.(.+)$/.exec(text)
  return match ? { sourceName: match[1], rest: match[2] } : undefined
}
