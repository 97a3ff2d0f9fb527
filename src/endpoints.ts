// The OIDC endpoints the integration uses, derived from the team name, the hosted domain and the
// pool's issuer. Pure: no network.

export interface Endpoints {
  callbackUrl: string
  authUrl: string
  tokenUrl: string
  certsUrl: string
  issuer: string
  /** The hosted UI hostname the auth and token URLs live on. */
  hostname: string
}

/**
 * Where the action's own requests for the hosted UI go (the authorize and token probes):
 * `https://<hostname>`, or COGNITO_HOSTED_UI_ENDPOINT when set. What Cloudflare gets never changes.
 */
export function hostedUiBase(override: string | undefined, hostname: string): string {
  return override ?? `https://${hostname}`
}

/** Where Cloudflare Access sends the browser back with the code. */
export function callbackUrlOf(teamName: string): string {
  return `https://${teamName}.cloudflareaccess.com/cdn-cgi/access/callback`
}

/** The pool's JWKS, under its issuer. */
export function certsUrlOf(issuer: string): string {
  return `${issuer}/.well-known/jwks.json`
}

export function deriveEndpoints(teamName: string, hostname: string, issuer: string): Endpoints {
  return {
    callbackUrl: callbackUrlOf(teamName),
    authUrl: `https://${hostname}/oauth2/authorize`,
    tokenUrl: `https://${hostname}/oauth2/token`,
    certsUrl: certsUrlOf(issuer),
    issuer,
    hostname
  }
}
