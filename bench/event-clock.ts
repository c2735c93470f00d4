/**
 * A discrete-event clock for simulations: `sleep` registers a timer; `run` repeatedly lets all pending
 * promise work settle, then jumps time to the earliest timer and fires it. Days of polling by a thousand
 * concurrent workflows take seconds, and every wait is honoured exactly, in order.
 */
import type { Clock } from '../src/arazzo/types.js'

interface Timer {
  at: number
  seq: number
  fire: () => void
}

export class EventClock implements Clock {
  private current: number
  private seq = 0
  private readonly heap: Timer[] = []

  constructor(start = 0) {
    this.current = start
  }

  now(): number {
    return this.current
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason)
      const timer: Timer = { at: this.current + Math.max(0, ms), seq: this.seq++, fire: resolve }
      signal?.addEventListener('abort', () => {
        timer.fire = () => undefined
        reject(signal.reason)
      })
      this.push(timer)
    })
  }

  /** Runs until no timer is left (or `stopAt` is reached); returns the final time. */
  async run(stopAt = Number.POSITIVE_INFINITY): Promise<number> {
    for (;;) {
      await settle()
      const next = this.pop()
      if (!next) return this.current
      if (next.at > stopAt) return this.current
      this.current = Math.max(this.current, next.at)
      next.fire()
    }
  }

  private push(timer: Timer): void {
    const heap = this.heap
    heap.push(timer)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(heap[i], heap[parent])) break
      ;[heap[i], heap[parent]] = [heap[parent], heap[i]]
      i = parent
    }
  }

  private pop(): Timer | undefined {
    const heap = this.heap
    if (heap.length === 0) return undefined
    const top = heap[0]
    const last = heap.pop()!
    if (heap.length > 0) {
      heap[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < heap.length && before(heap[l], heap[m])) m = l
        if (r < heap.length && before(heap[r], heap[m])) m = r
        if (m === i) break
        ;[heap[i], heap[m]] = [heap[m], heap[i]]
        i = m
      }
    }
    return top
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}

/** Lets every queued promise continuation run (a macrotask turn drains the microtask queue). */
function settle(): Promise<void> {
  return new Promise(resolve => setImmediate(resolve))
}
