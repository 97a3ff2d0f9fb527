// Observe: read the current state of Cognito and Cloudflare, independent reads in parallel.
// Nothing here writes.
import type { UserPoolClientType } from '@aws-sdk/client-cognito-identity-provider'
import type { CognitoApi } from './cognito/api.js'
import { findAppClient } from './cognito/app-client.js'
import { chooseDomain, issuerUrl, poolHostnames, type DomainChoice } from './cognito/domain.js'
import { ClientSecrets, type ClientSecretInfo } from './cognito/secrets.js'
import type { CloudflareApi, IdentityProvider } from './cloudflare/api.js'
import { findIdentityProvider, readTeamName } from './cloudflare/identity-provider.js'
import { ActionError } from './errors.js'
import { rotationConfigured } from './rotation.js'
import type { Settings } from './settings.js'

export interface ObservedDomain extends DomainChoice {
  /** `ACTIVE`, `CREATING`, ... (undefined when the domain does not exist yet). */
  status?: string
  /** 1: classic hosted UI; 2: managed login, which needs a branding style per client. */
  managedLoginVersion?: number
  /** Every domain the pool has (custom and prefix hostnames): each serves its hosted UI. */
  poolHostnames?: string[]
}

export interface Observed {
  userPoolId: string
  issuer: string
  domain: ObservedDomain
  /** The app client, described (its secret is masked), or undefined when it must be created. */
  client?: UserPoolClientType
  /** Managed login only: whether the client has a branding style. */
  hasBranding?: boolean
  /** The client's secrets (ids and dates), read only when a rotation input is set. */
  clientSecrets?: ClientSecretInfo[]
  /** When the state was read (epoch ms), for the age of the secrets. */
  observedAt?: number
  teamName: string
  identityProvider?: IdentityProvider
}

export async function observe(settings: Settings, services: { cognito: CognitoApi; cloudflare: CloudflareApi }): Promise<Observed> {
  const { cognito, cloudflare } = services
  const [pool, client, teamName, identityProvider] = await Promise.all([
    cognito.describeUserPool(settings.userPoolId),
    findAppClient(cognito, settings.userPoolId, { id: settings.appClientId, name: settings.appClientName }),
    settings.teamName ?? readTeamName(cloudflare),
    findIdentityProvider(cloudflare, { id: settings.idpId, name: settings.idpName })
  ])
  const domain = {
    ...(await observeDomain(cognito, settings, chooseDomain(pool, settings.cognitoDomain, settings.region))),
    poolHostnames: poolHostnames(pool, settings.region)
  }
  const hasBranding =
    domain.managedLoginVersion === 2 && client?.ClientId ? await cognito.hasBranding(settings.userPoolId, client.ClientId) : undefined
  // Issue 13: the secrets are listed only when asked to rotate (it needs ListUserPoolClientSecrets).
  const clientSecrets =
    client?.ClientId && rotationConfigured(settings)
      ? await new ClientSecrets(cognito, settings.userPoolId, client.ClientId).list()
      : undefined
  return {
    userPoolId: settings.userPoolId,
    issuer: issuerUrl(pool, settings.region, settings.endpoints.cognito),
    domain,
    client,
    hasBranding,
    clientSecrets,
    observedAt: Date.now(),
    teamName,
    identityProvider
  }
}

async function observeDomain(cognito: CognitoApi, settings: Settings, choice: DomainChoice): Promise<ObservedDomain> {
  const description = await cognito.describeDomain(choice.name)
  if (description && description.UserPoolId !== settings.userPoolId) {
    throw new ActionError(
      `cognito-domain: the prefix \`${choice.name}\` belongs to another user pool (${description.UserPoolId}); prefixes are unique across AWS. Choose another.`
    )
  }
  return {
    ...choice,
    exists: choice.exists || description !== undefined,
    status: description?.Status,
    managedLoginVersion: description?.ManagedLoginVersion
  }
}
