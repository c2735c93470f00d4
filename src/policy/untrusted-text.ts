/**
 * The one escaper for untrusted text: anything a server, a workflow document or an issue body said,
 * on its way to the log, the job summary or an issue comment. Validate the shape first (a request
 * id is digits, a status is a short word); escape whatever is shown anyway.
 *
 * - The log: the runner reads every line that starts with `::` (after blanks) as a workflow
 *   command (`::add-mask::`, `::stop-commands::`, `::error::`...). Untrusted text must never end a
 *   line early (CR, LF, other line breaks) nor begin a line with `::`.
 * - HTML (the job summary's tables, lists and code blocks; the HTML parts of comments): `& < > " '`
 *   become entities, and line breaks become spaces, because a blank line ends an HTML block and
 *   what follows would render as markdown (links, images).
 * - Markdown text (issue comments): every character markdown or GitHub gives a meaning to becomes an
 *   entity, and `@`/`#` cannot mention a person or link an issue.
 */

// C0/C1 controls, DEL, and the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g

function escapeControl(c: string): string {
  switch (c) {
    case '\n':
      return '\\n'
    case '\r':
      return '\\r'
    case '\t':
      return '\\t'
    default:
      return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  }
}

/**
 * Untrusted text for one log line (or a part of one): control characters shown as `\n`, `\u0007`,
 * and a leading `::` (after blanks) broken so the runner cannot read it as a command.
 */
export function forLog(text: string): string {
  return neutraliseCommandStart(text.replace(CONTROL, escapeControl))
}

/**
 * A whole log line assembled by the action: each physical line it holds must not start a workflow
 * command. Lines the action itself breaks (its own `\n`) are kept; untrusted parts inside it must
 * already have gone through `forLog`.
 */
export function safeLogLines(message: string): string {
  return message
    .split('\n')
    .map(line => neutraliseCommandStart(line.replace(/\r/g, '\\r')))
    .join('\n')
}

function neutraliseCommandStart(line: string): string {
  // A zero-width space after the blanks: the text reads the same, the runner sees no `::` prefix.
  return /^\s*::/.test(line) ? line.replace(/^(\s*)/, '$1\u200b') : line
}

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;'
}

/** Untrusted text inside HTML: entities for `& < > " '`, line breaks and controls as spaces. */
export function forHtml(text: string): string {
  return text.replace(CONTROL, ' ').replace(/[&<>"']/g, c => HTML_ENTITIES[c])
}

// Characters CommonMark, GFM or GitHub give a meaning to in running text.
const MARKDOWN_SPECIAL = /[\\`*_{}[\]()<>#+\-.!|~&"'@:]/g

/**
 * Untrusted text inside markdown (an issue comment's prose or table cell): every special character
 * as a numeric entity, so nothing becomes a link, an image, a mention (`@team`), an issue reference
 * (`#12`), emphasis, a table cell break or HTML; line breaks and controls as spaces.
 */
export function forMarkdown(text: string): string {
  return text.replace(CONTROL, ' ').replace(MARKDOWN_SPECIAL, c => `&#${c.charCodeAt(0)};`)
}
