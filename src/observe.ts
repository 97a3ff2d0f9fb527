// Observe: read the current state of Cognito and Cloudflare. Nothing here writes. Every read goes
// out as soon as what it needs is known, so a converged run costs two round trips: first the pool,
// the client (or the list that finds it), the team and the identity provider, with the issuer's
// discovery document and JWKS (they need only the pool id and region); then the client's details,
// the domain's state and the hosted-UI probe, which need the first wave's answers.
import type { UserPoolClientType } from '@aws-sdk/client-cognito-identity-provider'
import type { CognitoApi } from './cognito/api.js'
import { describeAppClient, findAppClientId } from './cognito/app-client.js'
import { chooseDomain, issuerUrl, poolHostnames, type DomainChoice, type ObservedDomain } from './cognito/domain.js'
import { ClientSecrets, type ClientSecretInfo } from './cognito/secrets.js'
import type { CloudflareApi, IdentityProvider } from './cloudflare/api.js'
import { fetchTeamName, findIdentityProvider } from './cloudflare/identity-provider.js'
import { callbackUrlOf, certsUrlOf, hostedUiBase } from './endpoints.js'
import { ActionError } from './errors.js'
import type { HttpClient } from './http.js'
import type { CheckResult } from './model.js'
import { rotationConfigured } from './rotation.js'
import type { Settings } from './settings.js'
import { checkHostedUi, discoveryUrl } from './verify.js'

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
  /**
   * With verify on: the hosted-UI probe of the client and domain as they were observed, started
   * beside the second wave's reads. Its answer stands when nothing about the client or domain is
   * to change (the checks use it only then); undefined when there was nothing to probe.
   */
  hostedUiProbe?: Promise<CheckResult | undefined>
}

export interface ObserveServices {
  cognito: CognitoApi
  cloudflare: CloudflareApi
  /** For the issuer's documents and the hosted UI. */
  http: HttpClient
}

export async function observe(settings: Settings, services: ObserveServices): Promise<Observed> {
  const { cognito, cloudflare, http } = services
  const poolId = settings.userPoolId
  const wantedClient = { id: settings.appClientId, name: settings.appClientName }
  // An issuer is at the pool's own API host unless the pool says UPDATED: guessed now, fetched
  // again only if DescribeUserPool says otherwise.
  const guessedIssuer = issuerUrl({ Id: poolId }, settings.region, settings.endpoints.cognito)
  if (settings.verify) prefetchIssuerDocuments(http, guessedIssuer)
  const poolRead = cognito.describeUserPool(poolId)
  const clientIdRead = findAppClientId(cognito, poolId, wantedClient)
  const teamRead = settings.teamName !== undefined ? Promise.resolve(settings.teamName) : fetchTeamName(cloudflare)
  const identityProviderRead = findIdentityProvider(cloudflare, { id: settings.idpId, name: settings.idpName })

  const choiceRead = poolRead.then(pool => chooseDomain(pool, settings.cognitoDomain, settings.region))
  const domainRead = Promise.all([poolRead, choiceRead]).then(async ([pool, choice]) => ({
    ...(await observeDomain(cognito, settings, choice)),
    poolHostnames: poolHostnames(pool, settings.region)
  }))
  const clientRead = clientIdRead.then(id => describeAppClient(cognito, poolId, wantedClient, id))
  const issuerRead = poolRead.then(pool => {
    const issuer = issuerUrl(pool, settings.region, settings.endpoints.cognito)
    if (settings.verify && issuer !== guessedIssuer) prefetchIssuerDocuments(http, issuer)
    return issuer
  })
  const hostedUiProbe = settings.verify ? probeEarly(http, settings, clientIdRead, choiceRead, teamRead) : undefined
  // The client's secrets (ids and dates), beside its describe, only when asked to rotate: listing
  // them needs cognito-idp:ListUserPoolClientSecrets.
  const secretsRead = rotationConfigured(settings)
    ? clientIdRead.then(id => (id === undefined ? undefined : new ClientSecrets(cognito, poolId, id).list()))
    : undefined

  const [issuer, client, teamName, identityProvider, domain, clientSecrets] = await Promise.all([
    issuerRead,
    clientRead,
    teamRead,
    identityProviderRead,
    domainRead,
    secretsRead
  ])
  const hasBranding = domain.managedLoginVersion === 2 && client?.ClientId ? await cognito.hasBranding(poolId, client.ClientId) : undefined
  return {
    userPoolId: poolId,
    issuer,
    domain,
    client,
    hasBranding,
    clientSecrets,
    observedAt: Date.now(),
    teamName,
    identityProvider,
    hostedUiProbe
  }
}

/** The discovery document and JWKS, for the checks to take when they judge them. */
function prefetchIssuerDocuments(http: HttpClient, issuer: string): void {
  for (const url of [discoveryUrl(issuer), certsUrlOf(issuer)]) {
    http.prefetch({ method: 'GET', url, headers: { accept: 'application/json' } })
  }
}

/**
 * The hosted-UI probe, sent as soon as the client's id, the domain and the team are known: the
 * same request the checks would send later. Never rejects (a failed read fails observe itself).
 */
async function probeEarly(
  http: HttpClient,
  settings: Settings,
  clientIdRead: Promise<string | undefined>,
  choiceRead: Promise<DomainChoice>,
  teamRead: Promise<string>
): Promise<CheckResult | undefined> {
  let known: [string | undefined, DomainChoice, string]
  try {
    known = await Promise.all([clientIdRead, choiceRead, teamRead])
  } catch {
    return undefined
  }
  const [clientId, choice, teamName] = known
  if (clientId === undefined || !choice.exists) return undefined
  const baseUrl = hostedUiBase(settings.endpoints.hostedUi, choice.hostname)
  return checkHostedUi(http, { baseUrl, clientId, callbackUrl: callbackUrlOf(teamName), scopes: settings.scopes, pkce: settings.pkce })
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
