import { Semaphore } from '../src/run/semaphore.js'

const tick = (): Promise<void> => new Promise(resolve => setImmediate(resolve))

test('never has more holders than its limit, and serves everyone', async () => {
  const semaphore = new Semaphore(3)
  let active = 0
  let most = 0
  const done: number[] = []
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      semaphore.use(async () => {
        active++
        most = Math.max(most, active)
        for (let k = 0; k < (i % 4) + 1; k++) await tick()
        active--
        done.push(i)
      })
    )
  )
  expect(most).toBe(3)
  expect(semaphore.peakActive).toBe(3)
  expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i))
})

test('releases the slot when the task throws', async () => {
  const semaphore = new Semaphore(1)
  await expect(semaphore.use(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
  await expect(semaphore.use(async () => 'next')).resolves.toBe('next')
})

test('refuses a limit below one', () => {
  expect(() => new Semaphore(0)).toThrow(/bad concurrency limit/)
})
