// The Cloudflare Access OIDC identity provider: finding it, the body we want it to have, the diff
// and its plan entry. The client secret is write-only: Cloudflare answers it absent, `null`, empty or as
// asterisks, and all of those mean "unknown", never "different". So the secret is written only
// when something says Cloudflare lacks the right one (a new provider, another client id, a new
// secret this run) or when sync-secret asks. Cloudflare also leaves default values out of its
// answers, so absent means default when comparing. A PUT replaces the whole provider, so an
// update carries through what we do not manage (other config keys, the SCIM flags).
import type { Endpoints } from '../endpoints.js'
import { ActionError } from '../errors.js'
import { KNOWN_AFTER_APPLY, type Action, type FieldChange, type ResourcePlan } from '../model.js'
import { SENSITIVE, redactedExcerpt } from '../secrets.js'
import type { Settings } from '../settings.js'
import type { CloudflareApi, IdentityProvider, IdentityProviderBody, OidcConfig } from './api.js'

/** The config we manage, except the client id and secret (known only once the client exists). */
export type DesiredOidcConfig = Omit<OidcConfig, 'client_id' | 'client_secret'>

export interface DesiredIdentityProvider {
  name: string
  config: DesiredOidcConfig
}

/** What the settings ask of the provider, pointing at these endpoints. */
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

/** The provider's plan entry, with what apply sends: the desired provider and what an update keeps. */
export interface IdentityProviderEntry extends ResourcePlan {
  kind: 'cloudflare-identity-provider'
  desired: DesiredIdentityProvider
  /** What an update carries through from the provider as it is (a PUT replaces it whole). */
  kept: KeptSettings
}

/**
 * Create the provider, update what differs, or leave it. `clientId` is the id it must carry
 * (undefined: the client is created in this run); `newSecret`, that the client gets a secret in
 * this run. A read-only provider that would change is refused here, before anything is written.
 */
export function planIdentityProvider(
  existing: IdentityProvider | undefined,
  desired: DesiredIdentityProvider,
  clientId: string | undefined,
  newSecret: boolean,
  syncSecret: boolean
): IdentityProviderEntry {
  const changes = existing
    ? identityProviderChanges(existing, desired, clientId, newSecret, syncSecret)
    : identityProviderCreation(desired, clientId)
  const action: Action = !existing ? 'create' : changes.length > 0 ? 'update' : 'no-change'
  if (existing?.read_only === true && action === 'update') refuseReadOnly(existing, changes)
  const kept = keptSettings(existing)
  const notes = [secretNote(secretDecision(existing, clientId, newSecret, syncSecret), action)]
  const keeps = action === 'update' ? keptNote(kept) : undefined
  if (keeps) notes.push(keeps)
  return {
    kind: 'cloudflare-identity-provider',
    title: `Cloudflare identity provider “${existing?.name ?? desired.name}”`,
    id: existing?.id,
    action,
    changes,
    notes,
    desired,
    kept
  }
}

/** A provider marked read_only is managed elsewhere, and the API refuses to change it. */
function refuseReadOnly(idp: IdentityProvider, changes: FieldChange[]): never {
  throw new ActionError(
    `Cloudflare identity provider ${idp.id} ("${idp.name}") is read-only (read_only: true): it is managed elsewhere, and the API cannot change it, ` +
      `yet it differs in ${changes.map(change => change.field).join(', ')}. Nothing was written. Change it where it is managed, ` +
      'or set idp-id (or idp-name) to a provider this action may manage.'
  )
}

/** What an update carries through from the provider as it is. */
export interface KeptSettings {
  /** Config keys the action does not manage, as Cloudflare holds them. */
  config: Record<string, unknown>
  /** The SCIM settings, without Cloudflare's own secret and base URL; undefined when it shows none. */
  scimConfig?: Record<string, unknown>
}

/** Config keys the action writes. */
const MANAGED_CONFIG = new Set([
  'client_id',
  'client_secret',
  'auth_url',
  'token_url',
  'certs_url',
  'scopes',
  'claims',
  'email_claim_name',
  'pkce_enabled'
])
/** Config keys Cloudflare computes (the Terraform provider marks them computed): never sent back. */
const CLOUDFLARE_OWNED_CONFIG = new Set(['redirect_url'])
/** SCIM keys Cloudflare owns: the token it generated (shown redacted or not at all) and its endpoint. */
const CLOUDFLARE_OWNED_SCIM = new Set(['secret', 'scim_base_url'])

/**
 * What Cloudflare means by a field it leaves out. Without an email claim name, Access reads the
 * standard `email` claim (its docs: a custom one is for IdPs that do not send `email`).
 */
const CONFIG_DEFAULTS: Record<string, unknown> = { pkce_enabled: false, claims: [], scopes: [], email_claim_name: 'email' }

/** What the provider holds for a managed field, its default when Cloudflare leaves it out. */
export function configValue(config: Record<string, unknown> | undefined, field: string): unknown {
  const value = config?.[field]
  return value === undefined || value === null ? CONFIG_DEFAULTS[field] : value
}

/** The settings of `existing` an update must send back so that its PUT loses none of them. */
export function keptSettings(existing: IdentityProvider | undefined): KeptSettings {
  const config = Object.fromEntries(
    Object.entries(existing?.config ?? {}).filter(([key]) => !MANAGED_CONFIG.has(key) && !CLOUDFLARE_OWNED_CONFIG.has(key))
  )
  const scim = existing?.scim_config
  const scimConfig = isObject(scim)
    ? Object.fromEntries(Object.entries(scim).filter(([key]) => !CLOUDFLARE_OWNED_SCIM.has(key)))
    : undefined
  return { config, scimConfig }
}

export function identityProviderBody(
  desired: DesiredIdentityProvider,
  clientId: string,
  clientSecret: string,
  kept: KeptSettings = { config: {} }
): IdentityProviderBody {
  return {
    name: desired.name,
    type: 'oidc',
    config: { ...kept.config, client_id: clientId, client_secret: clientSecret, ...desired.config },
    ...(kept.scimConfig ? { scim_config: kept.scimConfig } : {})
  }
}

/** Lists are compared as sets: Cloudflare may keep them in another order. */
function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && [...a].map(String).sort().join('\n') === [...b].map(String).sort().join('\n')
  }
  return a === b
}

export interface SecretDecision {
  write: boolean
  /** Why it is written, or why it is not, as a clause. */
  because: string
}

/**
 * Whether the client secret goes to Cloudflare, and why. It is never compared (Cloudflare does not
 * show it): it is written for a new provider, another client id, a secret the client got in this
 * run, or sync-secret. An update that happens for another reason still carries the client's
 * current secret, because a PUT replaces the whole provider.
 */
export function secretDecision(
  existing: IdentityProvider | undefined,
  clientId: string | undefined,
  newSecret: boolean,
  syncSecret: boolean
): SecretDecision {
  if (!existing) return { write: true, because: 'the identity provider is new' }
  if (clientId === undefined || existing.config?.client_id !== clientId) {
    return { write: true, because: "the client id changes, and the new client's secret goes with it" }
  }
  if (newSecret) return { write: true, because: 'the app client got a new secret in this run' }
  if (syncSecret) return { write: true, because: 'sync-secret is true (Cloudflare never shows the secret, so it cannot be compared)' }
  return { write: false, because: 'the client id is the same and the client has no new secret' }
}

/** The plan's sentence about the secret, for a provider whose plan is `action`. */
export function secretNote(decision: SecretDecision, action: 'create' | 'update' | 'no-change'): string {
  if (decision.write) return `client_secret is written: ${decision.because}.`
  if (action === 'update') {
    return (
      `client_secret is not compared (Cloudflare never shows it): ${decision.because}. ` +
      "The update carries the app client's current secret, because a PUT replaces the whole provider."
    )
  }
  return (
    `client_secret is not written: Cloudflare never shows it, so it cannot be compared, and ${decision.because}. ` +
    'To repair a secret changed in the dashboard, run once with sync-secret: true.'
  )
}

/**
 * What an update of `existing` changes. `clientId` is the id it must carry (undefined: not known
 * until the client is created); `newSecret` says the client got a secret Cloudflare cannot have
 * yet; `syncSecret` writes the secret anyway.
 */
export function identityProviderChanges(
  existing: IdentityProvider,
  desired: DesiredIdentityProvider,
  clientId: string | undefined,
  newSecret: boolean,
  syncSecret = false
): FieldChange[] {
  const changes: FieldChange[] = []
  if (existing.name !== desired.name) changes.push({ field: 'name', before: existing.name, after: desired.name })
  const config = isObject(existing.config) ? existing.config : {}
  if (clientId === undefined || config.client_id !== clientId) {
    changes.push({ field: 'config.client_id', before: config.client_id, after: clientId ?? KNOWN_AFTER_APPLY })
  }
  if (secretDecision(existing, clientId, newSecret, syncSecret).write) {
    changes.push({ field: 'config.client_secret', before: SENSITIVE, after: SENSITIVE })
  }
  for (const [field, after] of Object.entries(desired.config)) {
    if (!sameValue(configValue(config, field), after)) changes.push({ field: `config.${field}`, before: config[field], after })
  }
  return changes
}

/** Kept SCIM flags that Cloudflare no longer holds after an update (absent means off), for the read-back. */
export function lostScimSettings(stored: IdentityProvider, kept: KeptSettings): FieldChange[] {
  const now = isObject(stored.scim_config) ? stored.scim_config : {}
  return Object.entries(kept.scimConfig ?? {})
    .filter(([key, value]) => isSet(value) && !sameValue(now[key], value))
    .map(([key, value]) => ({ field: `scim_config.${key}`, before: now[key], after: value }))
}

/** What an update keeps, in words for the plan; undefined when there is nothing to keep. */
export function keptNote(kept: KeptSettings): string | undefined {
  const parts: string[] = []
  // Flags that are off are SCIM's defaults: worth no words.
  const scim = Object.entries(kept.scimConfig ?? {})
    .filter(([, value]) => isSet(value))
    .map(([key]) => key)
  if (scim.length > 0) parts.push(`scim_config (${scim.join(', ')}; Cloudflare keeps its SCIM secret)`)
  const config = Object.keys(kept.config)
  if (config.length > 0) parts.push(config.map(key => `config.${key}`).join(', '))
  return parts.length > 0 ? `The update keeps what the action does not manage: ${parts.join('; ')}.` : undefined
}

/** A SCIM setting that is not its default (off, empty). */
function isSet(value: unknown): boolean {
  return value !== false && value !== null && value !== undefined && value !== ''
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

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
      throw new ActionError(
        `idp-id: identity provider ${wanted.id} ("${found.name}") is of type ${found.type}, not oidc; the action manages OIDC providers only.`
      )
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
export async function fetchTeamName(api: CloudflareApi): Promise<string> {
  const org = await api.getOrganization()
  const authDomain = org.auth_domain ?? ''
  const team = authDomain.toLowerCase().endsWith('.cloudflareaccess.com')
    ? authDomain.slice(0, -'.cloudflareaccess.com'.length).toLowerCase()
    : ''
  if (!TEAM_NAME.test(team)) {
    const shown = org.auth_domain === undefined ? 'none' : JSON.stringify(redactedExcerpt(authDomain, 100))
    throw new ActionError(
      `team-name: Cloudflare ${api.scopeLabel}'s Access organization has no team domain of the form <team>.cloudflareaccess.com ` +
        `with a DNS label as <team> (auth_domain: ${shown}); set team-name.`
    )
  }
  return team
}
