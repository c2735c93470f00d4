import { VirtualClock } from '../src/arazzo/pacing.js'
import {
  BudgetDeadlineError,
  BudgetPacer,
  DOCUMENTED_BUDGET_PER_HOUR,
  HOUR_MS,
  requestCost
} from '../src/run/budget.js'

describe('requestCost', () => {
  test('POST costs 8 and every other method 1, as documented', () => {
    expect(requestCost('POST')).toBe(8)
    expect(requestCost('post')).toBe(8)
    expect(requestCost('GET')).toBe(1)
    expect(DOCUMENTED_BUDGET_PER_HOUR).toBe(14_400)
  })
})

describe('BudgetPacer', () => {
  test('spends a burst at once, then at the hourly rate', async () => {
    const clock = new VirtualClock(1_000)
    const pacer = new BudgetPacer({ limitPerHour: 7200, clock })
    expect(pacer.burst).toBe(360)
    for (let i = 0; i < 45; i++) await pacer.acquire(8)
    expect(clock.sleeps).toEqual([])
    // The bucket is empty: the next POST waits for 8 units at (7200 - 360) per hour.
    await pacer.acquire(8)
    expect(clock.now() - 1_000).toBe(Math.ceil(8 / (6840 / HOUR_MS)))
  })

  test('spreads a thousand submissions over the hour instead of spending it all at once', async () => {
    const clock = new VirtualClock(0)
    const pacer = new BudgetPacer({ limitPerHour: 7200, clock })
    const times: number[] = []
    for (let i = 0; i < 1000; i++) {
      await pacer.acquire(8)
      times.push(clock.now())
    }
    const inFirstMinute = times.filter(t => t < 60_000).length
    expect(inFirstMinute).toBeLessThan(60)
    expect(times[999]).toBeGreaterThan(HOUR_MS)
  })

  test('never lets the spend in any window exceed the limit over a long run', async () => {
    const clock = new VirtualClock(0)
    const pacer = new BudgetPacer({ limitPerHour: 100, clock })
    const times: { at: number; cost: number }[] = []
    for (let i = 0; i < 500; i++) {
      const cost = i % 7 === 0 ? 8 : 1
      await pacer.acquire(cost)
      times.push({ at: clock.now(), cost })
      clock.advance(5_000)
    }
    for (const start of times) {
      const inWindow = times
        .filter(t => t.at >= start.at && t.at < start.at + HOUR_MS)
        .reduce((sum, t) => sum + t.cost, 0)
      expect(inWindow).toBeLessThanOrEqual(100)
    }
  })

  test('a 429 pauses every caller until the given time', async () => {
    const clock = new VirtualClock(0)
    const pacer = new BudgetPacer({ limitPerHour: 1000, clock })
    pacer.pauseUntil(30_000)
    await pacer.acquire(1)
    expect(clock.now()).toBe(30_000)
  })

  test('serves waiters in arrival order, so a POST is not starved by GETs', async () => {
    const clock = new VirtualClock(0)
    const pacer = new BudgetPacer({ limitPerHour: 16, clock })
    await pacer.acquire(8)
    const order: string[] = []
    const post = pacer.acquire(8).then(() => order.push('post'))
    const get = pacer.acquire(1).then(() => order.push('get'))
    await Promise.all([post, get])
    expect(order).toEqual(['post', 'get'])
  })

  test('an aborted waiter rejects and does not block the next one', async () => {
    const clock = new VirtualClock(0)
    const pacer = new BudgetPacer({ limitPerHour: 16, clock })
    await pacer.acquire(8)
    const abort = new AbortController()
    abort.abort(new Error('stop'))
    await expect(pacer.acquire(8, abort.signal)).rejects.toThrow('stop')
    await pacer.acquire(1)
    expect(clock.now()).toBe(Math.ceil(1 / (8 / HOUR_MS)))
  })

  test('refuses a limit too small for two POSTs', () => {
    expect(() => new BudgetPacer({ limitPerHour: 15, clock: new VirtualClock() })).toThrow(
      /at least two POSTs/
    )
  })
})

describe('BudgetPacer deadline', () => {
  test('refuses at once, without waiting, when room comes only after the deadline', async () => {
    const clock = new VirtualClock(0)
    const pacer = new BudgetPacer({ limitPerHour: 7200, clock })
    for (let i = 0; i < 45; i++) await pacer.acquire(8)
    await expect(pacer.acquire(8, undefined, 1_000)).rejects.toBeInstanceOf(BudgetDeadlineError)
    expect(clock.sleeps).toEqual([])
    // A deadline far enough away is waited for.
    await pacer.acquire(8, undefined, 60_000)
    expect(clock.now()).toBeGreaterThan(0)
  })
})
