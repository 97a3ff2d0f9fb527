// Settings and observed states for unit tests of the pure parts (plan, report).
import type { UserPoolClientType } from '@aws-sdk/client-cognito-identity-provider'
import type { IdentityProvider } from '../../src/cloudflare/api.js'
import type { PlannedResource } from '../../src/fingerprint.js'
import type { Observed } from '../../src/observe.js'
import { readSettings, type Settings } from '../../src/settings.js'
import { ACCOUNT_ID, CALLBACK, POOL_ID } from './constants.js'

export { ACCOUNT_ID, CALLBACK, POOL_ID }
export const HOSTNAME = 'acme.auth.eu-west-1.amazoncognito.com'
export const ISSUER = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL_ID}`

export function settingsWith(inputs: Record<string, string> = {}, eventName = 'push'): Settings {
  const all: Record<string, string> = {
    'user-pool-id': POOL_ID,
    'cloudflare-account-id': ACCOUNT_ID,
    'cloudflare-api-token': 'cf-token-for-unit-tests',
    ...inputs
  }
  // Inputs left out are absent, as without a runner: the code's defaults apply.
  const result = readSettings({ getInput: name => all[name], env: {}, eventName })
  if (!result.ok) throw new Error(JSON.stringify(result.problems))
  return result.settings
}

export function convergedClient(overrides: Partial<UserPoolClientType> = {}): UserPoolClientType {
  return {
    UserPoolId: POOL_ID,
    ClientId: 'client0001',
    ClientName: 'Cloudflare Access',
    ClientSecret: 'client-secret-for-unit-tests',
    CallbackURLs: [CALLBACK],
    AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: ['openid', 'email', 'profile'],
    SupportedIdentityProviders: ['COGNITO'],
    AllowedOAuthFlowsUserPoolClient: true,
    ...overrides
  }
}

export function convergedIdp(config: Record<string, unknown> = {}, name = 'Amazon Cognito'): IdentityProvider {
  return {
    id: '11111111-2222-3333-4444-555555555555',
    name,
    type: 'oidc',
    config: {
      client_id: 'client0001',
      client_secret: '**********',
      auth_url: `https://${HOSTNAME}/oauth2/authorize`,
      token_url: `https://${HOSTNAME}/oauth2/token`,
      certs_url: `${ISSUER}/.well-known/jwks.json`,
      scopes: ['openid', 'email', 'profile'],
      claims: ['sub', 'cognito:username', 'name', 'cognito:groups'],
      email_claim_name: 'email',
      pkce_enabled: true,
      ...config
    }
  }
}

export function observed(overrides: Partial<Observed> = {}): Observed {
  return {
    userPoolId: POOL_ID,
    issuer: ISSUER,
    domain: { name: 'acme', kind: 'prefix', hostname: HOSTNAME, exists: true, status: 'ACTIVE', managedLoginVersion: 1 },
    client: convergedClient(),
    teamName: 'acme',
    identityProvider: convergedIdp(),
    ...overrides
  }
}

export function freshObserved(): Observed {
  return observed({
    domain: { name: 'acme', kind: 'prefix', hostname: HOSTNAME, exists: false },
    client: undefined,
    identityProvider: undefined
  })
}

/** Planned resources, as the fingerprint and the reviewed-plan check read a plan. */
export const PLANNED_CLIENT: PlannedResource = {
  kind: 'cognito-app-client',
  title: 'Cognito app client “Cloudflare Access”',
  id: 'client0001',
  action: 'no-change',
  changes: []
}
export const PLANNED_IDP_TITLE = 'Cloudflare identity provider “Amazon Cognito”'

export function plannedIdp(changes: PlannedResource['changes'], action: PlannedResource['action'] = 'update'): PlannedResource {
  return { kind: 'cloudflare-identity-provider', title: PLANNED_IDP_TITLE, id: 'idp-1', action, changes }
}
