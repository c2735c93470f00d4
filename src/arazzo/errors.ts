/**
 * The engine's typed errors. Every failure the engine reports is one of these, so callers can
 * tell a broken document (load time) from a broken expression or a failed run.
 */

export class ArazzoError extends Error {
  constructor(message: string) {
    super(message)
    this.name = new.target.name
  }
}

/** A document that does not satisfy Arazzo 1.0.x; `pointer` is the JSON Pointer of the node. */
export class ArazzoLoadError extends ArazzoError {
  constructor(
    readonly pointer: string,
    readonly detail: string
  ) {
    super(pointer ? `${pointer}: ${detail}` : detail)
  }
}

/** A runtime expression or criterion condition that does not parse. */
export class ArazzoSyntaxError extends ArazzoError {
  constructor(
    readonly source: string,
    readonly position: number,
    readonly detail: string
  ) {
    super(`${detail} at position ${position} in ${JSON.stringify(source)}`)
  }
}

/** A run that cannot go on (no matching failure action, bad target, transport failure...). */
export class ArazzoRuntimeError extends ArazzoError {
  constructor(
    message: string,
    readonly stepId?: string,
    readonly statusCode?: number
  ) {
    super(message)
  }
}
