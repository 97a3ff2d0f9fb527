// Plan: the diff between what is observed and what is desired, as a value. Pure. `apply` executes
// exactly this plan; the report renders it; the `plan` output is its JSON. It holds no secret.
import type {
  CreateUserPoolClientCommandInput,
  UpdateUserPoolClientCommandInput,
  UserPoolClientType
} from '@aws-sdk/client-cognito-identity-provider'
import {
  checkExistingClient,
  clientChanges,
  createClientRequest,
  prunedCallbacks,
  updateClientRequest,
  type DesiredClient
} from './cognito/app-client.js'
import { otherTeamCallbacks, otherTeamWarning } from './cognito/callbacks.js'
import type { IdentityProvider } from './cloudflare/api.js'
import {
  identityProviderChanges,
  identityProviderCreation,
  keptNote,
  keptSettings,
  secretDecision,
  secretNote,
  type DesiredIdentityProvider,
  type KeptSettings
} from './cloudflare/identity-provider.js'
import { ActionError } from './errors.js'
import { deriveEndpoints, desiredClient, desiredIdentityProvider, type Endpoints } from './desired.js'
import type { Observed } from './observe.js'
import { ROTATION_WRITES_SECRET, secretPlan } from './rotation.js'
import type { Mode, Settings } from './settings.js'

export type Action = 'create' | 'update' | 'no-change'
export type ResourceKind =
  'cognito-domain' | 'cognito-app-client' | 'managed-login-branding' | 'cognito-client-secret' | 'cloudflare-identity-provider'

export interface FieldChange {
  field: string
  /** Absent for a field that is new. */
  before?: unknown
  after?: unknown
}

export interface ResourcePlan {
  kind: ResourceKind
  /** What it is, for people: "Cognito app client “Cloudflare Access”". */
  title: string
  /** The resource's id, when it exists. */
  id?: string
  action: Action
  changes: FieldChange[]
  /** What a reviewer should know about this resource's plan (why the secret is or is not written, what is kept). */
  notes?: string[]
}

export type CheckStatus = 'pass' | 'fail' | 'skip'

/** One verification check (see verify.ts). A failure also says what was expected, what was found, and the fix. */
export interface CheckResult {
  check: string
  status: CheckStatus
  /** One sentence for people; for a failure, "expected …; found …. Fix: …". */
  detail: string
  expected?: string
  found?: string
  fix?: string
}

/** The requests apply sends, decided at plan time. */
export interface Steps {
  createDomain?: string
  client: { create: CreateUserPoolClientCommandInput } | { update: UpdateUserPoolClientCommandInput } | { keep: string }
  createBranding: boolean
  identityProvider: {
    action: Action
    id?: string
    desired: DesiredIdentityProvider
    /** What an update carries through from the provider as it is (a PUT replaces it whole). */
    kept: KeptSettings
  }
}

export interface Plan {
  mode: Mode
  endpoints: Endpoints
  /** In a stable order: domain, app client, branding, client secret, identity provider. */
  resources: ResourcePlan[]
  steps: Steps
  checks: CheckResult[]
  /** Risks found that the plan does not fix (the log, the summary and the comment show them). */
  warnings: string[]
}

export function buildPlan(settings: Settings, observed: Observed): Plan {
  const endpoints = deriveEndpoints(observed.teamName, observed.domain.hostname, observed.issuer)
  const resources: ResourcePlan[] = []

  const { domain } = observed
  resources.push({
    kind: 'cognito-domain',
    title: `Cognito ${domain.kind} domain ${domain.hostname}`,
    id: domain.exists ? domain.name : undefined,
    action: domain.exists ? 'no-change' : 'create',
    changes: domain.exists ? [] : [{ field: 'Domain', after: domain.name }]
  })

  const wantedClient = desiredClient(settings, endpoints)
  const clientTitle = `Cognito app client “${observed.client?.ClientName ?? settings.appClientName}”`
  const warnings: string[] = []
  let client: Steps['client']
  if (observed.client) {
    checkExistingClient(observed.client, wantedClient)
    const changes = clientChanges(observed.client, wantedClient)
    const id = observed.client.ClientId ?? ''
    const notes = existingClientNotes(observed.client, wantedClient, changes)
    warnings.push(...otherTeamWarnings(observed.client, observed.teamName, wantedClient))
    resources.push({
      kind: 'cognito-app-client',
      title: clientTitle,
      id,
      action: changes.length > 0 ? 'update' : 'no-change',
      changes,
      ...withNotes(notes)
    })
    client = changes.length > 0 ? { update: updateClientRequest(observed.client, wantedClient) } : { keep: id }
  } else {
    const request = createClientRequest(settings.userPoolId, wantedClient)
    resources.push({ kind: 'cognito-app-client', title: clientTitle, action: 'create', changes: creationChanges(request) })
    client = { create: request }
  }
  const clientCreated = 'create' in client

  // Managed login (version 2) shows no login page to a client without a branding style.
  const needsBranding = domain.managedLoginVersion === 2 && (clientCreated || observed.hasBranding === false)
  if (domain.managedLoginVersion === 2) {
    resources.push({
      kind: 'managed-login-branding',
      title: 'Managed login branding style of the app client',
      action: needsBranding ? 'create' : 'no-change',
      changes: needsBranding ? [{ field: 'UseCognitoProvidedValues', after: true }] : []
    })
  }

  const wantedIdp = desiredIdentityProvider(settings, endpoints)
  const clientId = observed.client?.ClientId
  const existingIdp = observed.identityProvider
  // Issue 13: the client secret's rotation, an entry of its own (see rotation.ts).
  const idpUsesClient = existingIdp !== undefined && clientId !== undefined && existingIdp.config?.client_id === clientId
  const rotation = secretPlan({
    settings,
    clientId,
    secrets: observed.clientSecrets,
    identityProvider: idpUsesClient ? { id: existingIdp.id, name: existingIdp.name, readOnly: existingIdp.read_only === true } : undefined,
    now: observed.observedAt ?? Date.now()
  })
  if (rotation) resources.push(rotation)
  const rotationWritesSecret = idpUsesClient && rotation?.action === 'update'
  const idpChanges = existingIdp
    ? identityProviderChanges(existingIdp, wantedIdp, clientId, clientCreated, settings.syncSecret)
    : identityProviderCreation(wantedIdp, clientId)
  const idpAction: Action = !existingIdp ? 'create' : idpChanges.length > 0 ? 'update' : 'no-change'
  const idpTitle = `Cloudflare identity provider “${existingIdp?.name ?? settings.idpName}”`
  if (existingIdp?.read_only === true && idpAction === 'update') refuseReadOnly(existingIdp, idpChanges)
  const kept = keptSettings(existingIdp)
  const idpNotes = [
    rotationWritesSecret
      ? ROTATION_WRITES_SECRET
      : secretNote(secretDecision(existingIdp, clientId, clientCreated, settings.syncSecret), idpAction)
  ]
  const keeps = idpAction === 'update' ? keptNote(kept) : undefined
  if (keeps) idpNotes.push(keeps)
  resources.push({
    kind: 'cloudflare-identity-provider',
    title: idpTitle,
    id: existingIdp?.id,
    action: idpAction,
    changes: idpChanges,
    notes: idpNotes
  })

  return {
    mode: settings.mode,
    endpoints,
    resources,
    steps: {
      createDomain: domain.exists ? undefined : domain.name,
      client,
      createBranding: needsBranding,
      identityProvider: { action: idpAction, id: existingIdp?.id, desired: wantedIdp, kept }
    },
    checks: [],
    warnings
  }
}

function withNotes(notes: string[]): { notes?: string[] } {
  return notes.length > 0 ? { notes } : {}
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
function otherTeamWarnings(existing: UserPoolClientType, teamName: string, desired: DesiredClient): string[] {
  if (desired.pruneOtherTeams) return []
  return otherTeamCallbacks(existing.CallbackURLs, teamName).map(callback => otherTeamWarning(existing.ClientId ?? '', callback))
}

/** A provider marked read_only is managed elsewhere, and the API refuses to change it. */
function refuseReadOnly(idp: IdentityProvider, changes: FieldChange[]): never {
  throw new ActionError(
    `Cloudflare identity provider ${idp.id} ("${idp.name}") is read-only (read_only: true): it is managed elsewhere, and the API cannot change it, ` +
      `yet it differs in ${changes.map(change => change.field).join(', ')}. Nothing was written. Change it where it is managed, ` +
      'or set idp-id (or idp-name) to a provider this action may manage.'
  )
}

function creationChanges(request: CreateUserPoolClientCommandInput): FieldChange[] {
  return Object.entries(request)
    .filter(([field]) => field !== 'UserPoolId')
    .map(([field, after]) => ({ field, after }))
}

/** Whether applying the plan changes anything. */
export function hasChanges(plan: Plan): boolean {
  return plan.resources.some(resource => resource.action !== 'no-change')
}

const LOG_SYMBOL: Record<Action, string> = { create: '+', update: '~', 'no-change': '=' }

/** The plan as plain log lines: one per resource, with the fields that change, and its notes. */
export function describePlan(plan: Plan): string[] {
  const counts = countActions(plan)
  const lines = [
    hasChanges(plan)
      ? `Plan: ${counts.create} to create, ${counts.update} to change, ${counts['no-change']} unchanged.`
      : 'Plan: no changes.'
  ]
  for (const resource of plan.resources) {
    const fields = resource.action === 'update' ? `: ${resource.changes.map(change => change.field).join(', ')}` : ''
    lines.push(`  ${LOG_SYMBOL[resource.action]} ${resource.action} ${resource.title}${resource.id ? ` (${resource.id})` : ''}${fields}`)
    for (const note of resource.notes ?? []) lines.push(`      ${note}`)
  }
  return lines
}

/** Counts per action, for the verdict line. */
export function countActions(plan: Plan): Record<Action, number> {
  const counts: Record<Action, number> = { create: 0, update: 0, 'no-change': 0 }
  for (const resource of plan.resources) counts[resource.action]++
  return counts
}

/** The plan as the `plan` output shows it: what changes and the checks, never a secret. */
export function planJson(plan: Plan): string {
  return JSON.stringify({
    mode: plan.mode,
    changed: hasChanges(plan),
    resources: plan.resources,
    warnings: plan.warnings,
    checks: plan.checks,
    endpoints: {
      callbackUrl: plan.endpoints.callbackUrl,
      authUrl: plan.endpoints.authUrl,
      tokenUrl: plan.endpoints.tokenUrl,
      certsUrl: plan.endpoints.certsUrl
    }
  })
}
