/** At most `limit` holders at once; the rest wait in arrival order. */
export class Semaphore {
  private active = 0
  private readonly waiting: (() => void)[] = []
  private peak = 0

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`bad concurrency limit ${limit}`)
  }

  /** The most holders there ever were at once. */
  get peakActive(): number {
    return this.peak
  }

  async use<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>(grant => this.waiting.push(grant))
    else this.active++
    this.peak = Math.max(this.peak, this.active)
    try {
      return await task()
    } finally {
      const next = this.waiting.shift()
      // Hand the slot straight to the next waiter, so `active` never dips and lets a newcomer jump in.
      if (next) next()
      else this.active--
    }
  }
}
