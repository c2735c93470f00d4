/**
 * Renders the runner protocol an action prints as the GitHub log shows it, line by line as it arrives:
 * `::add-mask::` lines disappear and their values become `***` from then on, `::group::` sections fold
 * to one line (or open, indented), annotations read `Warning: ...` / `Error: ...` / `Notice: ...`,
 * `::debug::` lines are hidden unless step debug is on, and `::stop-commands::` pauses it all until
 * its token comes back. Used by `npm run demo`; a pure transformer, so it is tested without a process.
 */

export interface LogViewOptions {
  /** `folded` (GitHub's default view: the title and how many lines it holds) or `open`. */
  groups: 'folded' | 'open'
  /** Show `::debug::` lines (as GitHub does when ACTIONS_STEP_DEBUG is set). */
  debug?: boolean
  write: (line: string) => void
}

export interface LogView {
  /** One line of the action's stdout or stderr (no line break). */
  line(text: string): void
  /** The stream ended: close a group left open. */
  end(): void
}

const ANNOTATIONS: Record<string, string> = {
  error: 'Error',
  warning: 'Warning',
  notice: 'Notice'
}

interface Command {
  name: string
  properties: Record<string, string>
  data: string
}

/** `::name key=value,key=value::data`, leading blanks allowed (as the runner reads it). */
export function parseCommand(line: string): Command | undefined {
  const match = /^\s*::([A-Za-z][\w-]*)(?: ([^:]*))?::(.*)$/.exec(line)
  if (!match) return undefined
  const properties: Record<string, string> = {}
  for (const pair of (match[2] ?? '').split(',')) {
    const eq = pair.indexOf('=')
    if (eq > 0) properties[pair.slice(0, eq).trim()] = unescapeProperty(pair.slice(eq + 1))
  }
  return { name: match[1].toLowerCase(), properties, data: unescapeData(match[3]) }
}

// The runner's escapes (what @actions/core's toCommandValue/escapeData write).
function unescapeData(text: string): string {
  return text.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%')
}

function unescapeProperty(text: string): string {
  return unescapeData(text).replace(/%3A/gi, ':').replace(/%2C/gi, ',')
}

export function createLogView(options: LogViewOptions): LogView {
  const masks: string[] = []
  let stopToken: string | undefined
  let group: { title: string; lines: string[] } | undefined

  const mask = (text: string): string => {
    let out = text
    for (const secret of masks) out = out.split(secret).join('***')
    return out
  }
  const emit = (text: string): void => {
    for (const physical of mask(text).split(/\r?\n/)) {
      if (group && options.groups === 'folded') group.lines.push(physical)
      else options.write(group ? `  ${physical}` : physical)
    }
  }
  const closeGroup = (): void => {
    if (!group) return
    if (options.groups === 'folded') {
      const count = group.lines.length
      options.write(`▶ ${group.title}  (${count} line${count === 1 ? '' : 's'} folded)`)
    }
    group = undefined
  }

  return {
    line(text: string): void {
      const command = parseCommand(text)
      if (stopToken !== undefined) {
        if (command?.name === stopToken) stopToken = undefined
        else emit(text)
        return
      }
      if (!command) return emit(text)
      switch (command.name) {
        case 'add-mask':
          // Longest first, so a value that contains another is hidden whole.
          if (command.data !== '') masks.push(command.data)
          masks.sort((a, b) => b.length - a.length)
          return
        case 'group':
          closeGroup()
          group = { title: mask(command.data), lines: [] }
          if (options.groups === 'open') options.write(`▼ ${group.title}`)
          return
        case 'endgroup':
          return closeGroup()
        case 'debug':
          if (options.debug) emit(`Debug: ${command.data}`)
          return
        case 'stop-commands':
          stopToken = command.data
          return
        case 'echo':
          return
        default:
          if (ANNOTATIONS[command.name]) {
            const where = command.properties.file
              ? ` (${command.properties.file}${command.properties.line ? `:${command.properties.line}` : ''})`
              : ''
            const title = command.properties.title ? `${command.properties.title}: ` : ''
            return emit(`${ANNOTATIONS[command.name]}: ${title}${command.data}${where}`)
          }
          // Not a command GitHub acts on: it shows the line as it is.
          return emit(text)
      }
    },
    end(): void {
      closeGroup()
    }
  }
}
