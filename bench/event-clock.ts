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
  /**
   * Real work the clock cannot see from here (threadpool work such as zlib or WebCrypto has no
   * active resource): while it answers true, `until` does not move time, only fires the timers due
   * now (bench/export-world.ts holds it during a delivery).
   */
  hold?: () => boolean

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

  /** Fires every timer due by `at` (in order), then sets the time to `at`. */
  async advanceTo(at: number): Promise<void> {
    await this.run(at)
    this.current = Math.max(this.current, at)
  }

  /**
   * Runs the clock until `work` settles. Time moves only once the work is parked on the clock:
   * several turns of the event loop in a row with no file or network request in flight (the action
   * reads its workflows and writes its outputs; a Response body is read over a few turns), so real
   * work never costs virtual time and never lets a later timer fire first.
   */
  async until<T>(work: Promise<T>): Promise<T> {
    let settled = false
    work.then(
      () => (settled = true),
      () => (settled = true)
    )
    for (let idle = 0; ;) {
      for (let quiet = 0; quiet < QUIET_TURNS;) {
        await settle()
        if (settled) return work
        if (realWorkPending()) {
          quiet = 0
          await new Promise(resolve => setTimeout(resolve, 1))
        } else if (this.hold?.()) {
          // Held: timers due now still fire (time does not move for them); no later one does.
          quiet = 0
          if (this.heap.length > 0 && this.heap[0].at <= this.current) this.pop()!.fire()
          else await new Promise(resolve => setTimeout(resolve, 1))
        } else quiet++
      }
      const next = this.pop()
      if (next) {
        idle = 0
        this.current = Math.max(this.current, next.at)
        next.fire()
        continue
      }
      // Nothing scheduled and nothing real pending: give stragglers a moment, then give up.
      if (++idle > 1000) throw new Error('the work waits for something that never comes')
      await new Promise(resolve => setTimeout(resolve, 1))
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

/** Turns of the event loop without real work before the clock may move. */
const QUIET_TURNS = 8

/**
 * File-system and network requests in flight (not our own timers, not stdout). `CloseReq` is a
 * FileHandle being closed (fs.promises): without it, time jumped past a run's end while it closed
 * its files. `ConnectWrap` (a connection opening) and `TCPSocketWrap` (an open connection, of a
 * client waiting for its answer or of a loopback server still serving it; idle keep-alive sockets
 * of a client's pool are unreferenced and do not count): the desk benchmark downloads exports from
 * and uploads artifacts to loopback servers (bench/export-world.ts), which close each connection
 * once answered, so time stands still while bytes are on the wire.
 */
function realWorkPending(): boolean {
  return process
    .getActiveResourcesInfo()
    .some(name =>
      /FSReq|FileHandle|CloseReq|GetAddrInfo|TCPConnect|ConnectWrap|TCPSocketWrap|Shutdown|WriteWrap/.test(
        name
      )
    )
}

/** Lets every queued promise continuation run (a macrotask turn drains the microtask queue). */
function settle(): Promise<void> {
  return new Promise(resolve => setImmediate(resolve))
}
