// createOnce: a create that fails in a way that may have created the thing anyway looks for it
// before trying again, adopts what it finds, and never makes a second one.
import { jest } from '@jest/globals'
import { MAX_ASKED_WAIT_MS, createOnce, waitMs, type CreateOnce } from '../src/create-once.js'
import { isRetryableServiceError, ServiceError } from '../src/errors.js'

const transient = (message = 'socket hang up', retryAfterMs?: number) => new ServiceError('Cloudflare', message, 503, true, retryAfterMs)
const permanent = () => new ServiceError('Cloudflare', 'bad request', 400, false)

/** A service with a store of things, whose create can be scripted to fail before or after it creates. */
function service(script: Array<'ok' | 'fail-before' | 'fail-after' | 'permanent'>) {
  const made: string[] = []
  const log: string[] = []
  let calls = 0
  const options: CreateOnce<string> = {
    what: 'thing “x”',
    create: async () => {
      const step = script[Math.min(calls++, script.length - 1)]
      if (step === 'permanent') throw permanent()
      if (step === 'fail-before') throw transient()
      made.push(`thing-${made.length + 1}`)
      if (step === 'fail-after') throw transient('answer lost')
      return made[made.length - 1]
    },
    findCreated: async () => made[0],
    isTransient: isRetryableServiceError,
    delayMs: () => 1,
    log: message => log.push(message)
  }
  return { options, made, log, calls: () => calls }
}

test('a create that works is done once, with nothing looked up or logged', async () => {
  const { options, made, log } = service(['ok'])
  const find = jest.fn(options.findCreated)
  expect(await createOnce({ ...options, findCreated: find })).toBe('thing-1')
  expect(made).toEqual(['thing-1'])
  expect(find).not.toHaveBeenCalled()
  expect(log).toEqual([])
})

test('a create whose answer is lost is found and adopted, not made again', async () => {
  const { options, made, log, calls } = service(['fail-after', 'ok'])
  expect(await createOnce(options)).toBe('thing-1')
  expect(made).toEqual(['thing-1'])
  expect(calls()).toBe(1)
  expect(log).toEqual([
    'Creating thing “x” failed (Cloudflare: answer lost); looking for it before trying again.',
    'thing “x” was created after all; adopting it.'
  ])
})

test('a create that failed before doing anything is tried again, once it is sure nothing is there', async () => {
  const { options, made, log, calls } = service(['fail-before', 'fail-before', 'ok'])
  expect(await createOnce(options)).toBe('thing-1')
  expect(made).toEqual(['thing-1'])
  expect(calls()).toBe(3)
  expect(log.filter(line => line.includes('does not exist; creating it again'))).toEqual([
    'thing “x” does not exist; creating it again in 1 ms (attempt 2 of 4).',
    'thing “x” does not exist; creating it again in 1 ms (attempt 3 of 4).'
  ])
})

test('a failure that is not transient is thrown at once, without a look or a retry', async () => {
  const { options, calls } = service(['permanent'])
  const find = jest.fn(options.findCreated)
  await expect(createOnce({ ...options, findCreated: find })).rejects.toThrow('Cloudflare: bad request')
  expect(calls()).toBe(1)
  expect(find).not.toHaveBeenCalled()
})

test('after the last attempt the last error is thrown', async () => {
  const { options, made, calls } = service(['fail-before'])
  await expect(createOnce({ ...options, attempts: 3 })).rejects.toThrow('socket hang up')
  expect(calls()).toBe(3)
  expect(made).toEqual([])
})

test('a failed look ends the run with its own error: no create is tried blind', async () => {
  const { options, calls } = service(['fail-before', 'ok'])
  await expect(
    createOnce({
      ...options,
      findCreated: async () => {
        throw permanent()
      }
    })
  ).rejects.toThrow('bad request')
  expect(calls()).toBe(1)
})

test('the wait honours a retry-after longer than the backoff, and gives up on one too long to wait for', async () => {
  expect(waitMs(transient('busy', 1000), 1, n => 50 * n)).toBe(1000)
  expect(waitMs(transient('busy', 10), 2, n => 50 * n)).toBe(100)
  expect(waitMs(new Error('plain'), 3, n => 50 * n)).toBe(150)
  expect(waitMs(undefined, 1)).toBe(1000)

  const { options, calls } = service(['ok'])
  const create = jest.fn(async () => {
    throw transient('busy', MAX_ASKED_WAIT_MS + 1)
  })
  await expect(createOnce({ ...options, create })).rejects.toThrow('busy')
  expect(create).toHaveBeenCalledTimes(1)
  expect(calls()).toBe(0)
})

test('the default wait grows with the attempt', async () => {
  jest.useFakeTimers()
  try {
    const { options, calls } = service(['fail-before', 'fail-before', 'ok'])
    const done = createOnce({ ...options, delayMs: undefined })
    await jest.advanceTimersByTimeAsync(999)
    expect(calls()).toBe(1)
    await jest.advanceTimersByTimeAsync(1)
    expect(calls()).toBe(2)
    await jest.advanceTimersByTimeAsync(1999)
    expect(calls()).toBe(2)
    await jest.advanceTimersByTimeAsync(1)
    expect(await done).toBe('thing-1')
  } finally {
    jest.useRealTimers()
  }
})
