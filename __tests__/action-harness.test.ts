/**
 * The run harness reads the action's log as the runner does: line by line, whatever chunks the
 * pipe delivered. A credential split across two chunks must reach the leak check as one line.
 */
import { lineSplitter } from './support/action-harness.js'

function split(chunks: string[]): string[] {
  const lines: string[] = []
  const splitter = lineSplitter(line => lines.push(line))
  for (const chunk of chunks) splitter.push(chunk)
  splitter.end()
  return lines
}

test('a line arriving in two chunks is one line', () => {
  const secret = 'sk-0123456789abcdef'
  expect(split([`token ${secret.slice(0, 7)}`, `${secret.slice(7)} sent\nnext`])).toEqual([
    `token ${secret} sent`,
    'next'
  ])
})

test('many lines in one chunk, empty lines dropped, the last line without a newline kept', () => {
  expect(split(['a\nb\n\nc', '\n', 'd'])).toEqual(['a', 'b', 'c', 'd'])
})

test('a workflow command split before its name is still seen as one', () => {
  const lines = split(['::add', '-mask::value\n'])
  expect(lines).toEqual(['::add-mask::value'])
})
