// The clients of the outside systems, built once from the settings.
import { CognitoApi } from './cognito/api.js'
import { CloudflareApi } from './cloudflare/api.js'
import { HttpClient, type Timing as HttpTiming } from './http.js'
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

export function createServices(settings: Settings, log: (message: string) => void): Services {
  const { timing } = settings
  const httpTiming: HttpTiming = {
    requestTimeoutMs: timing.requestTimeoutMs,
    retryBaseMs: timing.retryBaseMs,
    maxRetries: HTTP_MAX_RETRIES,
    totalTimeoutMs: Math.max(timing.requestTimeoutMs * (HTTP_MAX_RETRIES + 1), 60_000)
  }
  const cloudflareHttp = new HttpClient('Cloudflare', httpTiming, log)
  const oidcHttp = new HttpClient('OIDC', httpTiming, log)
  const cognito = new CognitoApi({
    region: settings.region,
    endpoint: settings.endpoints.cognito,
    requestTimeoutMs: timing.requestTimeoutMs,
    maxAttempts: COGNITO_MAX_ATTEMPTS,
    log
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
