import { parseCommandFile } from '../src/demo/command-file.js'

test('reads heredoc values (multi-line, with = and <<) and plain lines', () => {
  const text = [
    'requestId<<ghadelimiter_1',
    '53367',
    'ghadelimiter_1',
    'requests<<ghadelimiter_2',
    '[{"a":"b=c"},',
    '{"d":"<<e"}]',
    'ghadelimiter_2',
    'plain=x=y',
    ''
  ].join('\n')
  expect(parseCommandFile(text)).toEqual({
    requestId: '53367',
    requests: '[{"a":"b=c"},\n{"d":"<<e"}]',
    plain: 'x=y'
  })
})

test('refuses an unterminated value and a malformed line', () => {
  expect(() => parseCommandFile('a<<EOF\nvalue\n')).toThrow(/unterminated value for a/)
  expect(() => parseCommandFile('junk\n')).toThrow(/malformed command file line/)
})
