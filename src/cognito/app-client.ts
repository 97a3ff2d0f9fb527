// The Cognito app client Cloudflare signs in with: finding it, what it must hold, its plan entry,
// and the pure requests that create it or add what it lacks. UpdateUserPoolClient resets every field it is not sent, so an update is
// a read-modify-write: copy the described client through an explicit allow-list of update fields,
// merge what we need into its lists as sets, and send it all.
import type {
  CreateUserPoolClientCommandInput,
  UpdateUserPoolClientCommandInput,
  UserPoolClientType
} from '@aws-sdk/client-cognito-identity-provider'
import { ActionError } from '../errors.js'
import type { FieldChange, ResourcePlan } from '../model.js'
import type { Settings } from '../settings.js'
import type { CognitoApi } from './api.js'
import { accessCallbackTeam, otherTeamCallbacks, otherTeamWarning } from './callbacks.js'

/** What the integration needs of the client; everything else on it is the user's. */
export interface DesiredClient {
  name: string
  callbackUrl: string
  scopes: string[]
  identityProviders: string[]
  /**
   * email-claim-name is `email`: a client whose ReadAttributes are set must include `email`, or
   * its ID tokens carry no email claim and every Cloudflare login fails.
   */
  emailAttribute?: boolean
  /** Remove the Access callbacks of other Zero Trust teams (prune-callbacks). */
  pruneOtherTeams?: boolean
}

/** What the settings ask of the client, for the callback of this Zero Trust team. */
export function desiredClient(settings: Settings, callbackUrl: string): DesiredClient {
  return {
    name: settings.appClientName,
    callbackUrl,
    scopes: settings.scopes,
    identityProviders: settings.identityProviders,
    emailAttribute: settings.emailClaimName === 'email',
    pruneOtherTeams: settings.pruneCallbacks
  }
}

/** The client's plan entry, with the request apply sends (none when nothing changes). */
export interface ClientEntry extends ResourcePlan {
  kind: 'cognito-app-client'
  request?: { create: CreateUserPoolClientCommandInput } | { update: UpdateUserPoolClientCommandInput }
}

/**
 * Create the client, add what it lacks, or leave it; and a warning for each other team's Access
 * callback that stays on it. An existing client that cannot serve Cloudflare is refused here,
 * before anything is written.
 */
export function planClient(
  existing: UserPoolClientType | undefined,
  desired: DesiredClient,
  userPoolId: string
): { entry: ClientEntry; warnings: string[] } {
  const title = `Cognito app client “${existing?.ClientName ?? desired.name}”`
  if (!existing) {
    const create = createClientRequest(userPoolId, desired)
    const changes = Object.entries(create)
      .filter(([field]) => field !== 'UserPoolId')
      .map(([field, after]) => ({ field, after }))
    return { entry: { kind: 'cognito-app-client', title, action: 'create', changes, request: { create } }, warnings: [] }
  }
  checkExistingClient(existing, desired)
  const changes = clientChanges(existing, desired)
  const notes = existingClientNotes(existing, desired, changes)
  const entry: ClientEntry = {
    kind: 'cognito-app-client',
    title,
    id: existing.ClientId ?? '',
    action: changes.length > 0 ? 'update' : 'no-change',
    changes,
    ...(notes.length > 0 ? { notes } : {}),
    ...(changes.length > 0 ? { request: { update: updateClientRequest(existing, desired) } } : {})
  }
  return { entry, warnings: otherTeamWarnings(existing, desired) }
}

/** Why an existing client's plan does what it does beyond adding ours: pruned callbacks, the email attribute. */
function existingClientNotes(existing: UserPoolClientType, desired: DesiredClient, changes: FieldChange[]): string[] {
  const notes: string[] = []
  const pruned = prunedCallbacks(existing, desired)
  if (pruned.length > 0) {
    notes.push(`prune-callbacks: true removes the Access callbacks of other Zero Trust teams: ${pruned.join(', ')}.`)
  }
  if (changes.some(change => change.field === 'ReadAttributes')) {
    notes.push(
      'ReadAttributes gains email: the client lists the attributes its tokens may carry, and Cloudflare reads the email claim (email-claim-name: email).'
    )
  }
  return notes
}

/** One warning per other team's Access callback that stays on the client. */
function otherTeamWarnings(existing: UserPoolClientType, desired: DesiredClient): string[] {
  if (desired.pruneOtherTeams) return []
  const ownTeam = accessCallbackTeam(desired.callbackUrl) ?? ''
  return otherTeamCallbacks(existing.CallbackURLs, ownTeam).map(callback => otherTeamWarning(existing.ClientId ?? '', callback))
}

/** Every field UpdateUserPoolClient accepts besides the ids. Never ClientSecret, ClientType or dates. */
export const UPDATE_FIELDS = [
  'ClientName',
  'RefreshTokenValidity',
  'AccessTokenValidity',
  'IdTokenValidity',
  'TokenValidityUnits',
  'ReadAttributes',
  'WriteAttributes',
  'ExplicitAuthFlows',
  'SupportedIdentityProviders',
  'CallbackURLs',
  'LogoutURLs',
  'DefaultRedirectURI',
  'AllowedOAuthFlows',
  'AllowedOAuthScopes',
  'AllowedOAuthFlowsUserPoolClient',
  'AnalyticsConfiguration',
  'PreventUserExistenceErrors',
  'EnableTokenRevocation',
  'EnablePropagateAdditionalUserContextData',
  'AuthSessionValidity',
  'RefreshTokenRotation'
] as const satisfies ReadonlyArray<keyof UpdateUserPoolClientCommandInput & keyof UserPoolClientType>

const MAX_CALLBACK_URLS = 100

/** The fields we manage, with what the client must hold in each. */
function managedLists(desired: DesiredClient) {
  return {
    CallbackURLs: [desired.callbackUrl],
    AllowedOAuthFlows: ['code' as const],
    AllowedOAuthScopes: [...desired.scopes],
    SupportedIdentityProviders: [...desired.identityProviders]
  }
}

type ListField = keyof ReturnType<typeof managedLists> | 'ReadAttributes'

/** The callbacks an update removes: other teams' Access callbacks, when asked to. */
export function prunedCallbacks(existing: UserPoolClientType, desired: DesiredClient): string[] {
  if (!desired.pruneOtherTeams) return []
  const ownTeam = accessCallbackTeam(desired.callbackUrl) ?? ''
  return otherTeamCallbacks(existing.CallbackURLs, ownTeam).map(callback => callback.url)
}

/**
 * Every list the update touches, as it must be after it: the existing items (less the pruned
 * callbacks) with ours merged in as sets. ReadAttributes only when they are set and lack `email`.
 */
function targetLists(existing: UserPoolClientType, desired: DesiredClient): Partial<Record<ListField, string[]>> {
  const lists: Partial<Record<ListField, string[]>> = {}
  for (const [field, wanted] of Object.entries(managedLists(desired)) as Array<[ListField, string[]]>) {
    lists[field] = union(existing[field] as string[] | undefined, wanted)
  }
  const pruned = prunedCallbacks(existing, desired)
  lists.CallbackURLs = lists.CallbackURLs!.filter(url => !pruned.includes(url))
  const read = existing.ReadAttributes ?? []
  if (desired.emailAttribute && read.length > 0 && !read.includes('email')) lists.ReadAttributes = union(read, ['email'])
  return lists
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every(item => b.includes(item))
}

/** `existing` followed by what `wanted` adds to it (Describe omits empty lists: missing is []). */
export function union(existing: readonly string[] | undefined, wanted: readonly string[]): string[] {
  const result = [...(existing ?? [])]
  for (const item of wanted) if (!result.includes(item)) result.push(item)
  return result
}

export function createClientRequest(userPoolId: string, desired: DesiredClient): CreateUserPoolClientCommandInput {
  return {
    UserPoolId: userPoolId,
    ClientName: desired.name,
    GenerateSecret: true,
    AllowedOAuthFlowsUserPoolClient: true,
    ...managedLists(desired),
    // The hosted UI is the only way in: no direct password flows.
    ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
    PreventUserExistenceErrors: 'ENABLED',
    EnableTokenRevocation: true
  }
}

/** The whole update request for an existing client: its own settings, plus what the integration needs. */
export function updateClientRequest(existing: UserPoolClientType, desired: DesiredClient): UpdateUserPoolClientCommandInput {
  const request: Record<string, unknown> = { UserPoolId: existing.UserPoolId, ClientId: existing.ClientId }
  for (const field of UPDATE_FIELDS) {
    if (existing[field] !== undefined) request[field] = existing[field]
  }
  Object.assign(request, targetLists(existing, desired))
  // Cognito refuses a default redirect URI that is not a callback: it goes with a pruned callback.
  if (prunedCallbacks(existing, desired).includes(existing.DefaultRedirectURI ?? '')) delete request.DefaultRedirectURI
  request.AllowedOAuthFlowsUserPoolClient = true
  return request as unknown as UpdateUserPoolClientCommandInput
}

/** What the update changes, field by field (empty: the client already has everything). */
export function clientChanges(existing: UserPoolClientType, desired: DesiredClient): FieldChange[] {
  const changes: FieldChange[] = []
  for (const [field, after] of Object.entries(targetLists(existing, desired)) as Array<[ListField, string[]]>) {
    const before = (existing[field] as string[] | undefined) ?? []
    if (!sameSet(before, after)) changes.push({ field, before, after })
  }
  if (prunedCallbacks(existing, desired).includes(existing.DefaultRedirectURI ?? '')) {
    changes.push({ field: 'DefaultRedirectURI', before: existing.DefaultRedirectURI })
  }
  if (existing.AllowedOAuthFlowsUserPoolClient !== true) {
    changes.push({ field: 'AllowedOAuthFlowsUserPoolClient', before: existing.AllowedOAuthFlowsUserPoolClient ?? false, after: true })
  }
  return changes
}

/** Problems with an existing client that an update cannot fix. */
export function checkExistingClient(existing: UserPoolClientType, desired: DesiredClient): void {
  if (!existing.ClientSecret) {
    throw new ActionError(
      `app client ${existing.ClientId} ("${existing.ClientName}") has no client secret, and Cloudflare needs a confidential client. ` +
        'Cognito cannot add a secret to a public client: remove app-client-id, or choose another app-client-name, and the action creates one.'
    )
  }
  if (existing.AllowedOAuthFlows?.includes('client_credentials')) {
    throw new ActionError(
      `app client ${existing.ClientId} ("${existing.ClientName}") is a machine-to-machine client (OAuth flow client_credentials), ` +
        'and Cognito allows no other flow beside it, so it cannot also have the authorization code flow Cloudflare signs people in with. ' +
        'Leave it to its machines: set app-client-id to another confidential client, or remove app-client-id (or choose another ' +
        'app-client-name) and the action creates one.'
    )
  }
  const callbacks = targetLists(existing, desired).CallbackURLs!
  if (callbacks.length > MAX_CALLBACK_URLS) {
    throw new ActionError(
      `app client ${existing.ClientId} already has ${MAX_CALLBACK_URLS} callback URLs, Cognito's limit; remove one so the Cloudflare callback fits.`
    )
  }
}

/**
 * The id of the client named by app-client-id, else of the one client with app-client-name;
 * undefined when there is none. Known before the client is described, so that a read that needs
 * only the id (the hosted-UI probe) can go out beside the describe.
 */
export async function findAppClientId(
  cognito: CognitoApi,
  userPoolId: string,
  wanted: { id?: string; name: string }
): Promise<string | undefined> {
  if (wanted.id) return wanted.id
  const ids = await cognito.findClientIdsByName(userPoolId, wanted.name)
  if (ids.length > 1) throw duplicateClients(userPoolId, wanted.name, ids)
  return ids[0]
}

/** The client findAppClientId found, described; undefined when there is none (it is to be created). */
export async function describeAppClient(
  cognito: CognitoApi,
  userPoolId: string,
  wanted: { id?: string },
  id: string | undefined
): Promise<UserPoolClientType | undefined> {
  if (id === undefined) return undefined
  const client = await cognito.describeClient(userPoolId, id)
  if (!client && wanted.id) throw new ActionError(`app-client-id: no app client ${wanted.id} in user pool ${userPoolId}.`)
  return client
}

export function duplicateClients(userPoolId: string, name: string, ids: string[]): ActionError {
  return new ActionError(
    `user pool ${userPoolId} has ${ids.length} app clients named "${name}" (${ids.join(', ')}); ` +
      'set app-client-id to the one to use (and delete the others, or rename them).'
  )
}
