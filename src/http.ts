// One HTTP client for everything the action fetches itself (the Cloudflare API, the pool's OIDC
// discovery document and JWKS, the hosted UI probe): undici with its retry interceptor, a timeout
// per attempt and an overall budget per request. Retries happen only for idempotent methods (never
// POST: a create goes through createOnce instead) and only for answers that say "try again"; each
// one is logged so a slow run explains itself. Logs name the method and path, never a query,
// header or body, so no secret can reach them. Connections go through the proxy that HTTPS_PROXY /
// HTTP_PROXY / NO_PROXY name, if any.
import { interceptors, type Dispatcher } from 'undici'
import { deadlineStop, workSignal } from './deadline.js'
import { describeError } from './errors.js'
import { proxyAwareDispatcher } from './proxy.js'
import type { Timing } from './settings.js'

/**
 * The run's timing (per attempt: `requestTimeoutMs` to the headers and between body chunks; the
 * first backoff, `retryBaseMs`, doubled per retry with jitter, capped at 20 s), and how far one
 * request may go: its retries, and its budget.
 */
export interface HttpLimits extends Pick<Timing, 'requestTimeoutMs' | 'retryBaseMs'> {
  maxRetries: number
  /** Budget for one logical request, retries and their waits included. */
  totalTimeoutMs: number
}

export interface HttpLog {
  /** Retries: shown in every run. */
  info: (message: string) => void
  /** One line per request (method, path, status, duration): shown with debug logging on. */
  debug: (message: string) => void
}

export interface HttpResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  url: string
  headers?: Record<string, string>
  body?: string
}

export const RETRY_STATUS = [408, 409, 429, 500, 502, 503, 504]
const RETRY_ERROR_CODES = [
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT'
]
const IDEMPOTENT: Dispatcher.HttpMethod[] = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']
export const MAX_BACKOFF_MS = 20_000
/** No answer we read is anywhere near this; a bigger one is refused rather than held in memory. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024

type RetryError = Error & { statusCode?: number; code?: string; headers?: Record<string, string | string[] | undefined> }
type RetryCallback = NonNullable<NonNullable<Parameters<typeof interceptors.retry>[0]>['retry']>

/** Milliseconds a `retry-after` header asks for (seconds or an HTTP date), if any. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim()
  if (!raw) return undefined
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw) * 1000
  // An HTTP date names its day and month; anything else (`-1`, `soon`) asks for nothing.
  const date = /^[a-z]{3}, /i.test(raw) ? Date.parse(raw) : Number.NaN
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** Exponential backoff with jitter in its upper half: base·2^(n-1), capped, between 50 % and 100 % of it. */
export function backoffMs(retry: number, baseMs: number, random = Math.random): number {
  const ceiling = Math.min(baseMs * 2 ** (retry - 1), MAX_BACKOFF_MS)
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

/** Whether a failed HTTP attempt may be repeated: an idempotent method, and an answer that says "try again". */
export function isRetryableHttpError(method: string, error: { statusCode?: number; code?: string }): boolean {
  if (!IDEMPOTENT.includes(method as Dispatcher.HttpMethod)) return false
  // A retryable status comes as undici's UND_ERR_REQ_RETRY error carrying that status.
  if (error.statusCode !== undefined) return RETRY_STATUS.includes(error.statusCode)
  return error.code !== undefined && RETRY_ERROR_CODES.includes(error.code)
}

/** The wait before retry number `retry`: what the server asked for (capped), else the backoff. */
export function retryDelayMs(error: RetryError, retry: number, baseMs: number): number {
  const asked = retryAfterMs(error.headers?.['retry-after'])
  return asked !== undefined ? Math.min(asked, MAX_BACKOFF_MS) : backoffMs(retry, baseMs)
}

export class HttpClient {
  private readonly dispatcher: Dispatcher
  /** GETs started ahead of time, by URL, each waiting for the one request() that takes it. */
  private readonly prefetched = new Map<string, Promise<HttpResponse>>()

  constructor(
    private readonly name: string,
    private readonly limits: HttpLimits,
    private readonly log: HttpLog
  ) {
    this.dispatcher = proxyAwareDispatcher({
      headersTimeout: limits.requestTimeoutMs,
      bodyTimeout: limits.requestTimeoutMs,
      connectTimeout: Math.min(limits.requestTimeoutMs, 10_000),
      maxResponseSize: MAX_RESPONSE_BYTES
    }).compose(
      // Which failures are retried, how often and after what wait is decided per request, by
      // retryPolicy (it knows the request's deadline). When retrying ends, the last answer goes to
      // the caller instead of an error, so that Cloudflare's own error envelope reaches the user.
      interceptors.retry({ throwOnError: false })
    )
  }

  /**
   * Starts a GET now, so that its answer is there when the caller asks for it: reads that depend
   * on nothing else go out in the first wave. The next request() of the same URL takes it, once;
   * one nobody takes is dropped (its failure with it).
   */
  prefetch(request: HttpRequest & { method: 'GET' }): void {
    if (this.prefetched.has(request.url)) return
    const answer = this.send(request)
    answer.catch(() => undefined)
    this.prefetched.set(request.url, answer)
  }

  /** Sends one request (redirects are not followed) and reads the whole answer. */
  request(request: HttpRequest): Promise<HttpResponse> {
    const early = request.method === 'GET' ? this.prefetched.get(request.url) : undefined
    if (!early) return this.send(request)
    this.prefetched.delete(request.url)
    return early
  }

  private async send(request: HttpRequest): Promise<HttpResponse> {
    const url = new URL(request.url)
    const what = `${this.name}: ${request.method} ${url.pathname}`
    const started = Date.now()
    const attempts = { retries: 0 }
    try {
      const { statusCode, headers, body } = await this.dispatcher.request({
        method: request.method,
        origin: url.origin,
        path: url.pathname + url.search,
        headers: request.headers,
        body: request.body,
        // The request's budget covers the body too: an answer that trickles in is cut off.
        signal: AbortSignal.any([AbortSignal.timeout(this.limits.totalTimeoutMs), workSignal()]),
        retryOptions: { retry: this.retryPolicy(what, started + this.limits.totalTimeoutMs, attempts) }
      } as Dispatcher.RequestOptions)
      const text = await body.text()
      this.log.debug(`${what} → HTTP ${statusCode} in ${Date.now() - started} ms${retried(attempts.retries)}`)
      return { status: statusCode, headers, text }
    } catch (error) {
      this.log.debug(`${what} failed in ${Date.now() - started} ms${retried(attempts.retries)}: ${describeError(error)}`)
      throw deadlineStop(what) ?? error
    }
  }

  /**
   * undici's retry decision for one request: retry what may be retried, while retries and the
   * request's budget last (a wait that would overrun it is not started: the caller gets the last
   * answer instead of an abort). Returns the timer, so that an abort cancels the wait.
   */
  private retryPolicy(what: string, deadline: number, attempts: { retries: number }): RetryCallback {
    return (error, { state, opts }, callback) => {
      const failure = error as RetryError
      const delay = retryDelayMs(failure, state.counter, this.limits.retryBaseMs)
      const allowed = state.counter <= this.limits.maxRetries && isRetryableHttpError(opts.method, failure)
      if (!allowed || Date.now() + delay > deadline) {
        callback(error)
        return
      }
      attempts.retries = state.counter
      const answer = failure.statusCode !== undefined ? `HTTP ${failure.statusCode}` : (failure.code ?? failure.name)
      this.log.info(`${what} answered ${answer}; retry ${state.counter} of ${this.limits.maxRetries} in ${delay} ms.`)
      return setTimeout(() => callback(null), delay) as unknown as void
    }
  }

  async close(): Promise<void> {
    this.prefetched.clear()
    await this.dispatcher.close()
  }
}

function retried(retries: number): string {
  return retries > 0 ? ` (${retries} ${retries === 1 ? 'retry' : 'retries'})` : ''
}
