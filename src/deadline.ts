// The whole run's deadline (input `timeout-minutes`). When it passes, every request in flight and
// every wait is aborted, so the step that was running fails with a DeadlineError naming it, and the
// run reports what it did, as after any failure. The report itself (summary, PR comment) gets a
// short grace period of its own; after that, a last timer fails the step and exits, whatever is
// still pending. All timers are unref'd: a run that finishes in time is not kept alive by them.
import { ActionError } from './errors.js'

/** The run stopped at its deadline. */
export class DeadlineError extends ActionError {
  constructor(message: string) {
    super(message)
    this.name = 'DeadlineError'
  }
}

/** After the deadline: time for the summary and the PR comment. */
export const REPORT_GRACE_MS = 30_000
/** After the grace period: the process exits even if something still hangs. */
const EXIT_GRACE_MS = 5_000

let work = new AbortController()
let report = new AbortController()
let minutes: number | undefined
let timers: NodeJS.Timeout[] = []

/** Starts the clock; `onOverrun` runs if the process is still alive after the report's grace period. */
export function startRunDeadline(timeoutMinutes: number, onOverrun: () => void): void {
  stopRunDeadline()
  minutes = timeoutMinutes
  const ms = Math.round(timeoutMinutes * 60_000)
  const reason = new DeadlineError(deadlineText('the run'))
  timers = [
    setTimeout(() => work.abort(reason), ms),
    setTimeout(() => report.abort(reason), ms + REPORT_GRACE_MS),
    setTimeout(onOverrun, ms + REPORT_GRACE_MS + EXIT_GRACE_MS)
  ]
  for (const timer of timers) timer.unref()
}

/** Clears the clock (the run is over, or a test is done). */
export function stopRunDeadline(): void {
  for (const timer of timers) clearTimeout(timer)
  timers = []
  minutes = undefined
  work = new AbortController()
  report = new AbortController()
}

/** Aborted when the deadline passes: for every request and wait of the run's work. */
export function workSignal(): AbortSignal {
  return work.signal
}

/** Aborted when the report's grace period after the deadline is over: for the summary and comment. */
export function reportSignal(): AbortSignal {
  return report.signal
}

function deadlineText(what: string): string {
  return (
    `The run's deadline (timeout-minutes: ${minutes}) passed during ${what}, so the run stopped there. ` +
    'Raise timeout-minutes if the services are just slow.'
  )
}

/** The error to throw instead of whatever `what` failed with, when the deadline is why it failed. */
export function deadlineStop(what: string): DeadlineError | undefined {
  return work.signal.aborted ? new DeadlineError(deadlineText(what)) : undefined
}

/** Waits `ms`, or throws a DeadlineError naming `what` when the deadline passes first. */
export function sleep(ms: number, what: string): Promise<void> {
  const signal = work.signal
  return new Promise((resolve, reject) => {
    const stop = () => {
      clearTimeout(timer)
      reject(deadlineStop(what))
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', stop)
      resolve()
    }, ms)
    if (signal.aborted) stop()
    else signal.addEventListener('abort', stop, { once: true })
  })
}
