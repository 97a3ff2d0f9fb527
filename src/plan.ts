// Plan: the diff between what is observed and what is desired, as a value. Pure. `apply` executes
// exactly this plan; the report renders it; the `plan` output is its JSON. It holds no secret.
import type { CreateUserPoolClientCommandInput, UpdateUserPoolClientCommandInput } from '@aws-sdk/client-cognito-identity-provider'
import {
  checkExistingClient,
  clientChanges,
  createClientRequest,
  updateClientRequest
} from './cognito/app-client.js'
import {
  identityProviderChanges,
  identityProviderCreation,
  type DesiredIdentityProvider
} from './cloudflare/identity-provider.js'
import { deriveEndpoints, desiredClient, desiredIdentityProvider, type Endpoints } from './desired.js'
import type { Observed } from './observe.js'
import type { Mode, Settings } from './settings.js'

export type Action = 'create' | 'update' | 'no-change'
export type ResourceKind = 'cognito-domain' | 'cognito-app-client' | 'managed-login-branding' | 'cloudflare-identity-provider'

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
  identityProvider: { action: Action; id?: string; desired: DesiredIdentityProvider }
}

export interface Plan {
  mode: Mode
  endpoints: Endpoints
  /** In a stable order: domain, app client, branding, identity provider. */
  resources: ResourcePlan[]
  steps: Steps
  checks: CheckResult[]
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
  let client: Steps['client']
  if (observed.client) {
    checkExistingClient(observed.client, wantedClient)
    const changes = clientChanges(observed.client, wantedClient)
    const id = observed.client.ClientId ?? ''
    resources.push({ kind: 'cognito-app-client', title: clientTitle, id, action: changes.length > 0 ? 'update' : 'no-change', changes })
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
  const idpChanges = existingIdp
    ? identityProviderChanges(existingIdp, wantedIdp, clientId, clientCreated)
    : identityProviderCreation(wantedIdp, clientId)
  const idpAction: Action = !existingIdp ? 'create' : idpChanges.length > 0 ? 'update' : 'no-change'
  resources.push({
    kind: 'cloudflare-identity-provider',
    title: `Cloudflare identity provider “${existingIdp?.name ?? settings.idpName}”`,
    id: existingIdp?.id,
    action: idpAction,
    changes: idpChanges
  })

  return {
    mode: settings.mode,
    endpoints,
    resources,
    steps: {
      createDomain: domain.exists ? undefined : domain.name,
      client,
      createBranding: needsBranding,
      identityProvider: { action: idpAction, id: existingIdp?.id, desired: wantedIdp }
    },
    checks: []
  }
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

/** The plan as plain log lines: one per resource, with the fields that change. */
export function describePlan(plan: Plan): string[] {
  const counts = countActions(plan)
  const lines = [hasChanges(plan) ? `Plan: ${counts.create} to create, ${counts.update} to change, ${counts['no-change']} unchanged.` : 'Plan: no changes.']
  for (const resource of plan.resources) {
    const fields = resource.action === 'update' ? `: ${resource.changes.map(change => change.field).join(', ')}` : ''
    lines.push(`  ${LOG_SYMBOL[resource.action]} ${resource.action} ${resource.title}${resource.id ? ` (${resource.id})` : ''}${fields}`)
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
    checks: plan.checks,
    endpoints: {
      callbackUrl: plan.endpoints.callbackUrl,
      authUrl: plan.endpoints.authUrl,
      tokenUrl: plan.endpoints.tokenUrl,
      certsUrl: plan.endpoints.certsUrl
    }
  })
}
