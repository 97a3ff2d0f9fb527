// The clients of the outside systems, built once from the settings.
import { CognitoApi } from './cognito/api.js'
import { CloudflareApi } from './cloudflare/api.js'
import { HttpClient, type HttpLimits, type HttpLog } from './http.js'
import * as logger from './log.js'
import type { Settings } from './settings.js'

export interface Services {
  cognito: CognitoApi
  cloudflare: CloudflareApi
  /** For the pool's discovery document, JWKS and hosted UI. */
  http: HttpClient
  close: () => Promise<void>
}

/** Enough attempts to ride out Cognito's 5-requests-per-second-per-pool quota. */
const COGNITO_MAX_ATTEMPTS = 8
const HTTP_MAX_RETRIES = 5
/** The least budget for one request, retries included: a throttled service may ask to wait 20 s. */
const MIN_TOTAL_TIMEOUT_MS = 60_000

export function createServices(settings: Settings, log: (message: string) => void): Services {
  const { timing } = settings
  // Debug lines (one per request) show only with debug logging on; redacted like everything else.
  const httpLog: HttpLog = { info: log, debug: logger.debug }
  const totalTimeoutMs = Math.max(timing.requestTimeoutMs * (HTTP_MAX_RETRIES + 1), MIN_TOTAL_TIMEOUT_MS)
  const httpLimits: HttpLimits = {
    requestTimeoutMs: timing.requestTimeoutMs,
    retryBaseMs: timing.retryBaseMs,
    maxRetries: HTTP_MAX_RETRIES,
    totalTimeoutMs
  }
  const cloudflareHttp = new HttpClient('Cloudflare', httpLimits, httpLog)
  const oidcHttp = new HttpClient('OIDC', httpLimits, httpLog)
  const cognito = new CognitoApi({
    region: settings.region,
    endpoint: settings.endpoints.cognito,
    requestTimeoutMs: timing.requestTimeoutMs,
    maxAttempts: COGNITO_MAX_ATTEMPTS,
    totalTimeoutMs,
    log,
    debug: httpLog.debug
  })
  const { scope, apiToken, baseUrl } = settings.cloudflare
  return {
    cognito,
    cloudflare: new CloudflareApi(cloudflareHttp, baseUrl, scope, apiToken),
    http: oidcHttp,
    close: async () => {
      cognito.destroy()
      await Promise.all([cloudflareHttp.close(), oidcHttp.close()])
    }
  }
}
