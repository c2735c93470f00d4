/**
 * The error that names an input (or the issue-form field that stands for it), and quoting a
 * user-supplied value for a message. Messages never quote credentials or user/Amplitude IDs
 * (personal data): they point at the entry or line instead.
 */

export class InputError extends Error {
  constructor(
    readonly input: string,
    readonly detail: string,
    /**
     * What was expected, without the value given: for a place that must not repeat what was
     * typed (an issue comment, where a subject id typed into a date field would be published).
     */
    readonly expected?: string
  ) {
    super(`Input '${input}': ${detail}`)
    this.name = 'InputError'
  }
}

/** A user-supplied value for a message: JSON-escaped and bounded (never used for secrets). */
export function quote(text: string): string {
  const json = JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)
  return `'${json.slice(1, -1)}'`
}
