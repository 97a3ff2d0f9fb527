// Creating something is the one write that is not safe to repeat: when a create times out or its
// answer is lost, the thing may exist anyway, and a blind retry makes a duplicate (Cognito client
// names and Cloudflare identity provider names are not unique). So after a failed create we look
// again, adopt what the create made, and only create again when nothing is there.
import { sleep } from './deadline.js'
import { describeError } from './errors.js'

export interface CreateOnce<T> {
  /** What is created, for the log: "Cognito app client 'Cloudflare Access'". */
  what: string
  create: () => Promise<T>
  /** Looks for what an earlier attempt may have created; undefined when there is none. */
  findCreated: () => Promise<T | undefined>
  /** Whether the failure may have been transient (throttling, 5xx, dropped connection, timeout). */
  isTransient: (error: unknown) => boolean
  /** Creates tried at most (default 4). */
  attempts?: number
  /** The wait before create number `attempt + 1`, unless the service asked for a longer one. */
  delayMs?: (attempt: number) => number
  log: (message: string) => void
}

const DEFAULT_ATTEMPTS = 4
/** A service's retry-after longer than this is not waited for: the run fails and says so. */
export const MAX_ASKED_WAIT_MS = 60_000

export async function createOnce<T>(options: CreateOnce<T>): Promise<T> {
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS
  for (let attempt = 1; ; attempt++) {
    try {
      return await options.create()
    } catch (error) {
      if (!options.isTransient(error)) throw error
      options.log(`Creating ${options.what} failed (${describeError(error)}); looking for it before trying again.`)
      const created = await options.findCreated()
      if (created !== undefined) {
        options.log(`${options.what} was created after all; adopting it.`)
        return created
      }
      const wait = waitMs(error, attempt, options.delayMs)
      if (attempt >= attempts || wait > MAX_ASKED_WAIT_MS) throw error
      options.log(`${options.what} does not exist; creating it again in ${wait} ms (attempt ${attempt + 1} of ${attempts}).`)
      await sleep(wait, `the wait before creating ${options.what} again`)
    }
  }
}

/** Our backoff, or the service's retry-after when it asks for longer (a throttled create). */
export function waitMs(error: unknown, attempt: number, delayMs = (n: number) => 1000 * n): number {
  const asked = typeof error === 'object' && error !== null ? (error as { retryAfterMs?: unknown }).retryAfterMs : undefined
  const backoff = delayMs(attempt)
  return typeof asked === 'number' && asked > backoff ? asked : backoff
}
