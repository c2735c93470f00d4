/**
 * Parses a GITHUB_OUTPUT/GITHUB_STATE file as the runner reads it: `name<<DELIMITER`, the value's lines,
 * `DELIMITER` (what @actions/core writes), and plain `name=value` lines. Used by the demo and the tests'
 * runner harness to read the action's step outputs.
 */
export function parseCommandFile(text: string): Record<string, string> {
  const result: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (!line) continue
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const value: string[] = []
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i])
      if (i >= lines.length) throw new Error(`unterminated value for ${name} in command file`)
      result[name] = value.join('\n')
    } else {
      const eq = line.indexOf('=')
      if (eq < 0) throw new Error(`malformed command file line: ${line}`)
      result[line.slice(0, eq)] = line.slice(eq + 1)
    }
  }
  return result
}
