/** The message of anything thrown: an Error's own, or the value as text (never a stack trace). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
