/** `1 request`, `2 requests`: a count and its noun, the one way every message says it. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
