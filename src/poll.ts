// Waiting for remote state to settle, the way Terraform's StateChangeConf does: look, and look
// again after an interval until the answer is the one wanted, a dead end, or the wait runs out.
// Every wait is bounded, each look is logged, and the sleep between looks ends with the run's
// deadline (deadline.ts). The domain wait and the hosted-UI probe's retries both go through here.
import { sleep } from './deadline.js'

export interface PollOptions<T> {
  /** What is waited for, for the log and the deadline's message: "hosted domain login.example.com to be ACTIVE". */
  what: string
  /** One look at the remote state. */
  look: () => Promise<T>
  /** The answer waited for. */
  done: (value: T) => boolean
  /** An answer no wait can change (a FAILED domain): stop at once. */
  deadEnd?: (value: T) => boolean
  intervalMs: number
  /** The longest wait, from the first look; a look is not started when its interval would overrun it. */
  maxWaitMs: number
  /** Looks at most (default: as many as maxWaitMs allows). */
  maxLooks?: number
  /** Called before each wait with the answer that was not the one wanted, so a slow run explains itself. */
  onWait?: (value: T, progress: PollProgress) => void
}

export interface PollProgress {
  /** Looks so far (1 after the first). */
  looks: number
  waitedMs: number
}

export interface PollResult<T> extends PollProgress {
  /** The last answer. */
  value: T
  /** `done`: the answer waited for; `dead-end`: one no wait changes; `timeout`: the wait ran out. */
  outcome: 'done' | 'dead-end' | 'timeout'
}

export async function pollUntil<T>(options: PollOptions<T>): Promise<PollResult<T>> {
  const started = Date.now()
  for (let looks = 1; ; looks++) {
    const value = await options.look()
    const waitedMs = Date.now() - started
    if (options.done(value)) return { value, outcome: 'done', looks, waitedMs }
    if (options.deadEnd?.(value)) return { value, outcome: 'dead-end', looks, waitedMs }
    const outOfLooks = options.maxLooks !== undefined && looks >= options.maxLooks
    if (outOfLooks || waitedMs + options.intervalMs > options.maxWaitMs) return { value, outcome: 'timeout', looks, waitedMs }
    options.onWait?.(value, { looks, waitedMs })
    await sleep(options.intervalMs, `the wait for ${options.what}`)
  }
}
