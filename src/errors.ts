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
    readonly transient = false,
    /** How long the service asked to wait before trying again (its retry-after), if it did. */
    readonly retryAfterMs?: number
  ) {
    super(`${service}: ${message}`)
    this.name = 'ServiceError'
  }
}

/**
 * Whether a failed call to any service may succeed if made again: a ServiceError its client marked
 * transient (for Cognito by isRetryableCognitoError, for Cloudflare by its status or a lost answer).
 */
export function isRetryableServiceError(error: unknown): boolean {
  return error instanceof ServiceError && error.transient
}

/** A check of the integration (verify) that failed. */
export class VerificationError extends ActionError {
  constructor(message: string) {
    super(message)
    this.name = 'VerificationError'
  }
}

/**
 * One line that describes any thrown value, for logs and error messages (callers redact it).
 * Library errors keep their name and code (`SocketError UND_ERR_SOCKET: other side closed`); an
 * error without a message of its own (Node's AggregateError of a failed connect) describes its cause.
 */
export function describeError(error: unknown): string {
  return oneLine(describe(error, 0))
}

function describe(error: unknown, depth: number): string {
  if (error instanceof ActionError) return error.message
  if (!(error instanceof Error)) return String(error)
  const code = (error as { code?: unknown }).code
  const name = error.name && error.name !== 'Error' ? error.name : ''
  const prefix = [name, typeof code === 'string' ? code : ''].filter(Boolean).join(' ')
  let message = error.message
  if (!message && depth < 3) {
    const inner = error instanceof AggregateError ? error.errors[0] : error.cause
    if (inner !== undefined) message = describe(inner, depth + 1)
  }
  return prefix && message ? `${prefix}: ${message}` : prefix || message || 'unknown error'
}

/** A malformed item of a service's answer in a few words, never its content: `null`, `a string`, ... */
export function describeMalformed(item: unknown): string {
  if (item === null) return 'null'
  if (item === undefined) return 'nothing'
  if (Array.isArray(item)) return 'a list'
  return typeof item === 'object' ? 'an object without the expected fields' : `a ${typeof item}`
}

/** Collapses line breaks and runs of spaces: an error is reported as one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}
