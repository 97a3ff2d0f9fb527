// pollUntil: look until done, a dead end, or the wait (or the looks) run out; every wait bounded.
import { pollUntil } from '../src/poll.js'

function looker<T>(values: T[]): { look: () => Promise<T>; looked: () => number } {
  let looks = 0
  return { look: async () => values[Math.min(looks++, values.length - 1)], looked: () => looks }
}

test('looks again after each interval until the answer is the one wanted, and says how long it took', async () => {
  const { look, looked } = looker(['CREATING', 'CREATING', 'ACTIVE'])
  const waits: Array<[string, number]> = []
  const result = await pollUntil({
    what: 'x',
    look,
    done: value => value === 'ACTIVE',
    intervalMs: 1,
    maxWaitMs: 1000,
    onWait: (value, { looks }) => waits.push([value, looks])
  })
  expect(result).toMatchObject({ value: 'ACTIVE', outcome: 'done', looks: 3 })
  expect(waits).toEqual([
    ['CREATING', 1],
    ['CREATING', 2]
  ])
  expect(looked()).toBe(3)
})

test('a dead end stops at once, without a wait', async () => {
  const { look, looked } = looker(['FAILED'])
  const result = await pollUntil({
    what: 'x',
    look,
    done: v => v === 'ACTIVE',
    deadEnd: v => v === 'FAILED',
    intervalMs: 1000,
    maxWaitMs: 60_000
  })
  expect(result).toMatchObject({ outcome: 'dead-end', value: 'FAILED', looks: 1 })
  expect(looked()).toBe(1)
})

test('the wait is bounded: no look is started that would overrun it', async () => {
  const { look } = looker(['CREATING'])
  const started = Date.now()
  const result = await pollUntil({ what: 'x', look, done: v => v === 'ACTIVE', intervalMs: 40, maxWaitMs: 100 })
  expect(result.outcome).toBe('timeout')
  expect(result.looks).toBeLessThanOrEqual(3)
  expect(Date.now() - started).toBeLessThan(1000)
})

test('so are the looks: maxLooks ends it even with no time limit', async () => {
  const { look, looked } = looker([false])
  const result = await pollUntil({ what: 'x', look, done: Boolean, intervalMs: 1, maxWaitMs: Number.POSITIVE_INFINITY, maxLooks: 3 })
  expect(result).toMatchObject({ outcome: 'timeout', looks: 3 })
  expect(looked()).toBe(3)
})
