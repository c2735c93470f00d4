/**
 * The README's inputs and outputs tables are the documentation users read; action.yml is what the
 * runner reads. They must list the same names, with the same defaults.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'

const root = join(import.meta.dirname, '..')
const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string }>
  outputs: Record<string, unknown>
}
const readme = readFileSync(join(root, 'README.md'), 'utf8')

/** Rows of the Markdown table under `## heading`: first cell (backticks stripped) -> second cell. */
function tableUnder(heading: string): Map<string, string> {
  const section = readme.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0] ?? ''
  const rows = new Map<string, string>()
  for (const line of section.split('\n')) {
    const cells = line.split('|').map(cell => cell.trim())
    if (cells.length < 4 || !cells[1].startsWith('`')) continue
    for (const name of cells[1].split(',')) rows.set(name.trim().replace(/`/g, ''), cells[2])
  }
  return rows
}

test('the README lists exactly the inputs of action.yml, with their defaults', () => {
  const documented = tableUnder('Inputs')
  expect([...documented.keys()].sort()).toEqual(Object.keys(action.inputs).sort())
  const defaults = Object.entries(action.inputs).filter(([, spec]) => spec.default !== undefined)
  for (const [name, spec] of defaults) {
    expect(`${name}: ${documented.get(name)}`).toBe(`${name}: \`${spec.default}\``)
  }
})

test('the README lists exactly the outputs of action.yml', () => {
  expect([...tableUnder('Outputs').keys()].sort()).toEqual(Object.keys(action.outputs).sort())
})
