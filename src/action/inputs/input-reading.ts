/** Reading one input of action.yml: the one place the input room calls the runner for it. */
import * as core from '@actions/core'
import type { Inputs } from '../../run/index.js'

export function read(name: Inputs): string {
  return core.getInput(name)
}
