/**
 * The job summary as readable terminal text: the HTML the action writes to GITHUB_STEP_SUMMARY (what
 * GitHub renders on the run's page) converted with html-to-text, tables laid out as aligned columns
 * under their header row. The summary carries server-supplied text (escaped as HTML by the action);
 * once decoded it is untrusted again, so every line goes through the one escaper before it is shown.
 */
import { convert } from 'html-to-text'
import { forLog } from '../policy/index.js'

export function renderSummary(html: string, width = 120): string[] {
  const text = convert(html, {
    wordwrap: width,
    selectors: [
      {
        selector: 'h2',
        options: { uppercase: false, leadingLineBreaks: 1, trailingLineBreaks: 1 }
      },
      {
        selector: 'h3',
        options: { uppercase: false, leadingLineBreaks: 2, trailingLineBreaks: 1 }
      },
      {
        selector: 'table',
        format: 'dataTable',
        options: { uppercaseHeaderCells: true, maxColumnWidth: 72, colSpacing: 3 }
      },
      // A link shows its target after its text, as a reader of a terminal needs it.
      { selector: 'a', options: { linkBrackets: ['<', '>'] } },
      { selector: 'pre', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } }
    ]
  })
  return text.split('\n').map(forLog)
}
