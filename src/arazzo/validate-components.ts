/**
 * Validation of the document's Components Object: its maps (inputs, parameters, successActions,
 * failureActions), their key names, and each reusable parameter and action checked with the same
 * rules as an inline one (except step targets, which depend on the workflow that uses them).
 */

import { childPointer, isObject, KEY_PATTERN, type ComponentKind } from './document-nodes.js'
import { checkAction } from './validate-actions.js'
import { checkParameter } from './validate-steps.js'
import { FIELDS, type ValidationContext } from './validation-context.js'

export function checkComponents(v: ValidationContext): void {
  const components = v.components
  v.knownFields(components, 'components', FIELDS.components)
  const maps: ComponentKind[] = ['inputs', 'parameters', 'successActions', 'failureActions']
  for (const kind of maps) {
    const map = components[kind]
    const pointer = childPointer('components', kind)
    if (map === undefined) continue
    if (!isObject(map)) {
      v.problem(pointer, `components.${kind} must be a map`)
      continue
    }
    for (const [key, entry] of Object.entries(map)) {
      const at = childPointer(pointer, key)
      if (!KEY_PATTERN.test(key))
        v.problem(at, `component name '${key}' must match ${KEY_PATTERN.source}`)
      if (!isObject(entry)) {
        v.problem(at, `a components.${kind} entry must be an object`)
        continue
      }
      if (kind === 'parameters') checkParameter(v, entry, at, false)
      else if (kind === 'successActions') checkAction(v, entry, at, 'success', undefined)
      else if (kind === 'failureActions') checkAction(v, entry, at, 'failure', undefined)
    }
  }
}
