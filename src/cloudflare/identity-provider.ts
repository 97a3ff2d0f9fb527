// The Cloudflare Access OIDC identity provider: finding it, the body we want it to have, and the
// diff. Cloudflare never returns the client secret in clear, so the secret cannot be compared:
// it counts as changed only when the client id changes or the client got a new secret this run.
import { ActionError } from '../errors.js'
import { SENSITIVE, redactedExcerpt } from '../secrets.js'
import type { FieldChange } from '../plan.js'
import type { CloudflareApi, IdentityProvider, IdentityProviderBody, OidcConfig } from './api.js'

/** The config we manage, except the client id and secret (known only once the client exists). */
export type DesiredOidcConfig = Omit<OidcConfig, 'client_id' | 'client_secret'>

export interface DesiredIdentityProvider {
  name: string
  config: DesiredOidcConfig
}

export function identityProviderBody(desired: DesiredIdentityProvider, clientId: string, clientSecret: string): IdentityProviderBody {
  return {
    name: desired.name,
    type: 'oidc',
    config: { client_id: clientId, client_secret: clientSecret, ...desired.config }
  }
}

/** Lists are compared as sets: Cloudflare may keep them in another order. */
function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && [...a].map(String).sort().join('\n') === [...b].map(String).sort().join('\n')
  }
  return a === b
}

/**
 * What an update of `existing` changes. `clientId` is the id it must carry (undefined: not known
 * until the client is created); `newSecret` says the client got a secret Cloudflare cannot have yet.
 */
export function identityProviderChanges(
  existing: IdentityProvider,
  desired: DesiredIdentityProvider,
  clientId: string | undefined,
  newSecret: boolean
): FieldChange[] {
  const changes: FieldChange[] = []
  if (existing.name !== desired.name) changes.push({ field: 'name', before: existing.name, after: desired.name })
  const config = existing.config ?? {}
  const clientIdChanged = clientId === undefined || config.client_id !== clientId
  if (clientIdChanged) changes.push({ field: 'config.client_id', before: config.client_id, after: clientId ?? KNOWN_AFTER_APPLY })
  const secretMissing = config.client_secret === undefined || config.client_secret === ''
  if (clientIdChanged || newSecret || secretMissing) {
    changes.push({ field: 'config.client_secret', before: secretMissing ? undefined : SENSITIVE, after: SENSITIVE })
  }
  for (const [field, after] of Object.entries(desired.config)) {
    if (!sameValue(config[field], after)) changes.push({ field: `config.${field}`, before: config[field], after })
  }
  return changes
}

export const KNOWN_AFTER_APPLY = '(known after apply)'

/** Every field of a new identity provider, as a list of changes from nothing. */
export function identityProviderCreation(desired: DesiredIdentityProvider, clientId: string | undefined): FieldChange[] {
  return [
    { field: 'name', after: desired.name },
    { field: 'type', after: 'oidc' },
    { field: 'config.client_id', after: clientId ?? KNOWN_AFTER_APPLY },
    { field: 'config.client_secret', after: SENSITIVE },
    ...Object.entries(desired.config).map(([field, after]) => ({ field: `config.${field}`, after }))
  ]
}

/** The identity provider named by idp-id, else the one OIDC provider with idp-name; undefined when none. */
export async function findIdentityProvider(
  api: CloudflareApi,
  wanted: { id?: string; name: string }
): Promise<IdentityProvider | undefined> {
  if (wanted.id) {
    const found = await api.getIdentityProvider(wanted.id)
    if (!found) throw new ActionError(`idp-id: no identity provider ${wanted.id} in Cloudflare ${api.scopeLabel}.`)
    if (found.type !== 'oidc') {
      throw new ActionError(`idp-id: identity provider ${wanted.id} ("${found.name}") is of type ${found.type}, not oidc; the action manages OIDC providers only.`)
    }
    return found
  }
  return pickByName(await api.listIdentityProviders(), wanted.name, api.scopeLabel)
}

export function pickByName(all: IdentityProvider[], name: string, scopeLabel: string): IdentityProvider | undefined {
  const named = all.filter(idp => idp.name === name)
  const oidc = named.filter(idp => idp.type === 'oidc')
  if (oidc.length > 1) {
    throw new ActionError(
      `Cloudflare ${scopeLabel} has ${oidc.length} OIDC identity providers named "${name}" (${oidc.map(idp => idp.id).join(', ')}); ` +
        'set idp-id to the one to use (and delete the others).'
    )
  }
  if (oidc.length === 0 && named.length > 0) {
    throw new ActionError(
      `Cloudflare ${scopeLabel} has an identity provider named "${name}" of type ${named.map(idp => idp.type).join(', ')}, not oidc. ` +
        'Choose another idp-name, or rename that provider.'
    )
  }
  return oidc[0]
}

/** A team name is the first label of `<team>.cloudflareaccess.com`: a DNS label, nothing else. */
const TEAM_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

/**
 * `<team>` of the organization's `<team>.cloudflareaccess.com`. It becomes the host of the
 * callback URL put on the app client, so anything but a DNS label (`127.0.0.1:9/`, say) is refused
 * here, before any write.
 */
export async function readTeamName(api: CloudflareApi): Promise<string> {
  const org = await api.getOrganization()
  const authDomain = org.auth_domain ?? ''
  const team = authDomain.toLowerCase().endsWith('.cloudflareaccess.com') ? authDomain.slice(0, -'.cloudflareaccess.com'.length).toLowerCase() : ''
  if (!TEAM_NAME.test(team)) {
    const shown = org.auth_domain === undefined ? 'none' : JSON.stringify(redactedExcerpt(authDomain, 100))
    throw new ActionError(
      `team-name: Cloudflare ${api.scopeLabel}'s Access organization has no team domain of the form <team>.cloudflareaccess.com ` +
        `with a DNS label as <team> (auth_domain: ${shown}); set team-name.`
    )
  }
  return team
}
