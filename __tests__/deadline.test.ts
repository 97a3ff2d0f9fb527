// The run deadline: waits and requests stop when it passes, with an error naming what was going
// on; the report has a grace period of its own; a last timer ends a run that still hangs.
import { jest } from '@jest/globals'
import {
  DeadlineError,
  REPORT_GRACE_MS,
  deadlineStop,
  reportSignal,
  sleep,
  startRunDeadline,
  stopRunDeadline,
  workSignal
} from '../src/deadline.js'

afterEach(() => {
  stopRunDeadline()
  jest.useRealTimers()
})

test('without a deadline, sleep just waits and nothing is stopped', async () => {
  const started = Date.now()
  await sleep(20, 'a wait')
  expect(Date.now() - started).toBeGreaterThanOrEqual(15)
  expect(deadlineStop('anything')).toBeUndefined()
  expect(workSignal().aborted).toBe(false)
})

test('the deadline stops the work, then the report, then the process', async () => {
  jest.useFakeTimers()
  const overrun = jest.fn()
  startRunDeadline(1, overrun)
  const waiting = sleep(10 * 60_000, 'the wait for hosted domain x to be ACTIVE').catch((error: unknown) => error)

  await jest.advanceTimersByTimeAsync(60_000 - 1)
  expect(workSignal().aborted).toBe(false)
  await jest.advanceTimersByTimeAsync(1)
  expect(workSignal().aborted).toBe(true)
  const error = await waiting
  expect(error).toBeInstanceOf(DeadlineError)
  expect((error as Error).message).toBe(
    "The run's deadline (timeout-minutes: 1) passed during the wait for hosted domain x to be ACTIVE, so the run stopped there. " +
      'Raise timeout-minutes if the services are just slow.'
  )
  expect(deadlineStop('Cognito DescribeUserPool')?.message).toMatch(/passed during Cognito DescribeUserPool/)
  await expect(sleep(1, 'a later wait')).rejects.toBeInstanceOf(DeadlineError)

  expect(reportSignal().aborted).toBe(false)
  await jest.advanceTimersByTimeAsync(REPORT_GRACE_MS)
  expect(reportSignal().aborted).toBe(true)
  expect(overrun).not.toHaveBeenCalled()
  await jest.advanceTimersByTimeAsync(5_000)
  expect(overrun).toHaveBeenCalledTimes(1)
})

test('a finished wait leaves nothing behind, and stopRunDeadline clears the clock', async () => {
  jest.useFakeTimers()
  const overrun = jest.fn()
  startRunDeadline(0.5, overrun)
  const short = sleep(10, 'a short wait')
  await jest.advanceTimersByTimeAsync(10)
  await expect(short).resolves.toBeUndefined()
  stopRunDeadline()
  await jest.advanceTimersByTimeAsync(10 * 60_000)
  expect(workSignal().aborted).toBe(false)
  expect(overrun).not.toHaveBeenCalled()
})
