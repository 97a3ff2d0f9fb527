// Errors the action reports to the user as they are: a clear sentence, no stack trace.

/** A problem the user can act on: the message says what is wrong and how to fix it. */
export class ActionError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ActionError'
  }
}

/** An answer from Cognito, Cloudflare or GitHub that stops the run. */
export class ServiceError extends ActionError {
  constructor(
    readonly service: 'Cognito' | 'Cloudflare' | 'GitHub' | 'OIDC',
    message: string,
    readonly status?: number,
    /** True when the same request may succeed later (throttling, 5xx, a dropped connection). */
    readonly transient = false
  ) {
    super(`${service}: ${message}`)
    this.name = 'ServiceError'
  }
}

/** Whether the failed request may succeed if made again. */
export function isTransient(error: unknown): boolean {
  return error instanceof ServiceError && error.transient
}

/** A check of the integration (verify) that failed. */
export class VerificationError extends ActionError {
  constructor(message: string) {
    super(message)
    this.name = 'VerificationError'
  }
}

/** One line that describes any thrown value, for logs and error messages (callers redact it). */
export function describeError(error: unknown): string {
  if (error instanceof ActionError) return error.message
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    const name = error.name && error.name !== 'Error' ? error.name : ''
    const prefix = [name, typeof code === 'string' ? code : ''].filter(Boolean).join(' ')
    return prefix ? `${prefix}: ${error.message}` : error.message
  }
  return String(error)
}
