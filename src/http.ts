// One HTTP client for everything the action fetches itself (the Cloudflare API, the pool's OIDC
// discovery document and JWKS, the hosted UI probe): undici with its retry interceptor, a timeout
// per attempt and an overall budget. Retries happen only for idempotent methods (never POST) and
// only for answers that say "try again"; each one is logged so a slow run explains itself.
import { Agent, interceptors, type Dispatcher } from 'undici'

export interface Timing {
  /** Per attempt: time to the response headers, and between body chunks. */
  requestTimeoutMs: number
  /** First backoff; doubles per retry, with jitter, capped at 20 s. */
  retryBaseMs: number
  maxRetries: number
  /** Budget for one logical request, retries included. */
  totalTimeoutMs: number
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

const RETRY_STATUS = [408, 409, 429, 500, 502, 503, 504]
const RETRY_ERROR_CODES = [
  'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH', 'EAI_AGAIN',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'
]
const IDEMPOTENT: Dispatcher.HttpMethod[] = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']
const MAX_BACKOFF_MS = 20_000

type RetryError = Error & { statusCode?: number; code?: string; headers?: Record<string, string | string[] | undefined> }

/** Milliseconds a `retry-after` header asks for (seconds or an HTTP date), if any. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value
  if (!raw) return undefined
  const seconds = Number(raw)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(raw)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** Exponential backoff with full jitter in its upper half: base·2^(n-1), between 50 % and 100 %. */
export function backoffMs(retry: number, baseMs: number, random = Math.random): number {
  const ceiling = Math.min(baseMs * 2 ** (retry - 1), MAX_BACKOFF_MS)
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

export class HttpClient {
  private readonly dispatcher: Dispatcher

  constructor(
    private readonly name: string,
    private readonly timing: Timing,
    private readonly log: (message: string) => void
  ) {
    const started = new WeakMap<object, number>()
    this.dispatcher = new Agent({
      headersTimeout: timing.requestTimeoutMs,
      bodyTimeout: timing.requestTimeoutMs,
      connectTimeout: Math.min(timing.requestTimeoutMs, 10_000)
    }).compose(
      interceptors.retry({
        maxRetries: timing.maxRetries,
        methods: IDEMPOTENT,
        statusCodes: RETRY_STATUS,
        errorCodes: RETRY_ERROR_CODES,
        // Hand the last answer to the caller instead of throwing, so that Cloudflare's own error
        // envelope reaches the user.
        throwOnError: false,
        retry: (error, { state, opts }, callback) => {
          const first = started.get(opts) ?? Date.now()
          started.set(opts, first)
          const delay = this.retryDelay(error as RetryError, state.counter, opts.method)
          if (delay === undefined || Date.now() - first + delay > timing.totalTimeoutMs) {
            callback(error)
            return
          }
          const failure = (error as RetryError).statusCode ?? (error as RetryError).code ?? error.name
          this.log(`${this.name}: ${opts.method} ${opts.path} answered ${failure}; retry ${state.counter} of ${timing.maxRetries} in ${delay} ms`)
          setTimeout(() => callback(null), delay)
        }
      })
    )
  }

  /** The wait before retry number `counter`, or undefined when this failure must not be retried. */
  private retryDelay(error: RetryError, counter: number, method: string): number | undefined {
    if (counter > this.timing.maxRetries || !IDEMPOTENT.includes(method as Dispatcher.HttpMethod)) return undefined
    const retryableStatus = error.statusCode !== undefined && RETRY_STATUS.includes(error.statusCode)
    const retryableCode = error.code !== undefined && RETRY_ERROR_CODES.includes(error.code)
    const retryableRequest = error.code === 'UND_ERR_REQ_RETRY' && error.statusCode !== undefined && retryableStatus
    if (!retryableStatus && !retryableCode && !retryableRequest) return undefined
    const asked = retryAfterMs(error.headers?.['retry-after'])
    return asked !== undefined ? Math.min(asked, MAX_BACKOFF_MS) : backoffMs(counter, this.timing.retryBaseMs)
  }

  /** Sends one request (redirects are not followed) and reads the whole answer. */
  async request(request: HttpRequest): Promise<HttpResponse> {
    const url = new URL(request.url)
    const { statusCode, headers, body } = await this.dispatcher.request({
      method: request.method,
      origin: url.origin,
      path: url.pathname + url.search,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(this.timing.totalTimeoutMs)
    })
    return { status: statusCode, headers, text: await body.text() }
  }

  async close(): Promise<void> {
    await this.dispatcher.close()
  }
}
