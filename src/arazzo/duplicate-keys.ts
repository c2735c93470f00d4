/**
 * Duplicate mapping keys, found in linear time. The `yaml` library's own check (`uniqueKeys: true`)
 * compares every new key with every key before it: a 1 MB document holding one 100,000-key mapping
 * kept the CPU busy for 69 s, a 5 MiB one would take about 40 minutes. Here each mapping's keys go
 * into a Set once, so a document costs time in proportion to its size.
 *
 * Keys are compared as JavaScript will see them once the document is converted (`toJS` makes every
 * key a string): `200` and `'200'` are the same key there, so they are duplicates here. A key that
 * is not a plain value (a mapping, a sequence or an alias used as a key) is refused outright: no
 * Arazzo or OpenAPI document uses one, and an alias key could stand for anything.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type Node } from 'yaml'
import { childPointer } from './document-nodes.js'

export interface KeyProblem {
  /** JSON Pointer (load-error style, no leading '/') of the mapping. */
  pointer: string
  message: string
}

/** The first duplicate or non-scalar key of the document, or undefined. Iterative: no recursion. */
export function findKeyProblem(document: Document): KeyProblem | undefined {
  const stack: { node: unknown; pointer: string }[] = [{ node: document.contents, pointer: '' }]
  while (stack.length > 0) {
    const { node, pointer } = stack.pop()!
    if (isMap(node)) {
      const seen = new Set<string>()
      for (const pair of node.items) {
        const key = pair.key as Node | null
        if (key !== null && !isScalar(key)) {
          const kind = isAlias(key) ? 'an alias' : 'a mapping or sequence'
          return { pointer, message: `a mapping key is ${kind}, not a plain value` }
        }
        const name = key === null || key.value === null ? '' : String(key.value)
        if (seen.has(name)) {
          return { pointer, message: `Map keys must be unique: '${name}' appears more than once` }
        }
        seen.add(name)
        stack.push({ node: pair.value, pointer: childPointer(pointer, name) })
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => stack.push({ node: item, pointer: childPointer(pointer, i) }))
    }
    // Scalars and aliases: nothing below (an alias's target is checked where it is defined).
  }
  return undefined
}
