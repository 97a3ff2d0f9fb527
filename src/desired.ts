// What the integration should look like, derived from the settings and a few observed facts
// (team name, hosted domain, issuer). Pure: no network.
import type { DesiredClient } from './cognito/app-client.js'
import type { DesiredIdentityProvider } from './cloudflare/identity-provider.js'
import type { Settings } from './settings.js'

export interface Endpoints {
  callbackUrl: string
  authUrl: string
  tokenUrl: string
  certsUrl: string
  issuer: string
  /** The hosted UI hostname the auth and token URLs live on. */
  hostname: string
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

export function desiredClient(settings: Settings, endpoints: Endpoints): DesiredClient {
  return {
    name: settings.appClientName,
    callbackUrl: endpoints.callbackUrl,
    scopes: settings.scopes,
    identityProviders: settings.identityProviders,
    emailAttribute: settings.emailClaimName === 'email',
    pruneOtherTeams: settings.pruneCallbacks
  }
}

export function desiredIdentityProvider(settings: Settings, endpoints: Endpoints): DesiredIdentityProvider {
  return {
    name: settings.idpName,
    config: {
      auth_url: endpoints.authUrl,
      token_url: endpoints.tokenUrl,
      certs_url: endpoints.certsUrl,
      scopes: settings.scopes,
      claims: settings.claims,
      email_claim_name: settings.emailClaimName,
      pkce_enabled: settings.pkce
    }
  }
}
