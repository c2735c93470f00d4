/** Renders benchmark sections into the Markdown of bench/RESULTS.md. */
import type { BenchSection } from './report.js'

export function renderSection(section: BenchSection): string {
  const lines = [`## ${section.title}`, '', section.description, '']
  lines.push(
    `| ${section.headers.join(' | ')} |`,
    `| ${section.headers.map(() => '---').join(' | ')} |`
  )
  for (const row of section.rows)
    lines.push(`| ${row.map(cell => cell.replace(/\|/g, '\\|')).join(' | ')} |`)
  lines.push('')
  if (section.targets.length > 0) {
    lines.push('| target | result | measured |', '| --- | --- | --- |')
    for (const t of section.targets)
      lines.push(`| ${t.name} | ${t.met ? 'met' : '**not met**'} | ${t.detail} |`)
    lines.push('')
  }
  for (const note of section.notes ?? []) lines.push(`- ${note}`)
  if (section.notes?.length) lines.push('')
  return lines.join('\n')
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a'
  if (ms < 1_000) return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`
  return `${(ms / 60_000).toFixed(1)} min`
}
