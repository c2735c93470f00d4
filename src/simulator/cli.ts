/**
 * `npm run simulator`: starts a simulator and keeps it running until SIGINT/SIGTERM. Bundled by
 * ncc to dist/simulator/index.js, so it starts unconditionally (a main-module check is not
 * reliable inside a bundle) and imports only the simulator.
 */

import { CLI_USAGE, formatBanner, formatLogEntry, parseCliConfig } from './cli-config.js'
import { startSimulator, type SimulatorOptions } from './index.js'

async function main(): Promise<void> {
  const config = parseCliConfig(process.argv.slice(2), process.env)
  if (config.help) {
    console.log(CLI_USAGE)
    return
  }
  const options: SimulatorOptions = config.quiet
    ? config.options
    : { ...config.options, onLog: entry => console.log(formatLogEntry(entry)) }
  const simulator = await startSimulator(options)
  console.log(formatBanner(simulator, config.options))

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(`\n${signal}: stopping the simulator`)
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1)
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

main().catch((error: unknown) => {
  console.error(`simulator: ${error instanceof Error ? error.message : String(error)}`)
  console.error(CLI_USAGE)
  process.exit(1)
})
