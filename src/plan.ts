// Plan: the diff between what is observed and what is desired, as a value. Pure, and never changed
// once made: one entry per resource, as a Terraform plan has, each holding its decision, its field
// changes and what apply will send. `apply` executes the entries; the report renders them; the
// `plan` output is their JSON. It holds no secret.
import { planBranding, type BrandingEntry } from './cognito/branding.js'
import { desiredClient, planClient, type ClientEntry } from './cognito/app-client.js'
import { planDomain, type DomainEntry } from './cognito/domain.js'
import { desiredIdentityProvider, planIdentityProvider, type IdentityProviderEntry } from './cloudflare/identity-provider.js'
import { deriveEndpoints, type Endpoints } from './endpoints.js'
import { ROTATION_WRITES_SECRET, secretPlan, type SecretEntry } from './rotation.js'
import type { Action, CheckResult, ResourcePlan } from './model.js'
import type { Observed } from './observe.js'
import type { Mode, Settings } from './settings.js'

/** Any resource's entry. */
export type PlanEntry = DomainEntry | ClientEntry | BrandingEntry | SecretEntry | IdentityProviderEntry

export interface Plan {
  readonly mode: Mode
  readonly endpoints: Endpoints
  readonly domain: DomainEntry
  readonly client: ClientEntry
  /** Managed login (version 2) only. */
  readonly branding?: BrandingEntry
  /** With a rotation input only: rotate the client secret, or keep it. */
  readonly secret?: SecretEntry
  readonly identityProvider: IdentityProviderEntry
  /** Risks found that the plan does not fix (the log, the summary and the comment show them). */
  readonly warnings: readonly string[]
}

export function buildPlan(settings: Settings, observed: Observed): Plan {
  const endpoints = deriveEndpoints(observed.teamName, observed.domain.hostname, observed.issuer)
  const client = planClient(observed.client, desiredClient(settings, endpoints.callbackUrl), settings.userPoolId)
  const clientCreated = client.entry.action === 'create'
  const clientId = observed.client?.ClientId
  const existingIdp = observed.identityProvider
  // A provider that already signs in with this client gets a rotated secret from the rotation itself.
  const idpUsesClient = existingIdp !== undefined && clientId !== undefined && existingIdp.config?.client_id === clientId
  const secret = secretPlan({
    settings,
    clientId,
    secrets: observed.clientSecrets,
    identityProvider: idpUsesClient ? { id: existingIdp.id, name: existingIdp.name, readOnly: existingIdp.read_only === true } : undefined,
    now: observed.observedAt ?? Date.now()
  })
  const identityProvider = planIdentityProvider(
    existingIdp,
    desiredIdentityProvider(settings, endpoints),
    clientId,
    clientCreated,
    settings.syncSecret
  )
  const rotationWritesSecret = idpUsesClient && secret?.action === 'update'
  return {
    mode: settings.mode,
    endpoints,
    domain: planDomain(observed.domain),
    client: client.entry,
    branding: planBranding(observed.domain.managedLoginVersion, clientCreated, observed.hasBranding),
    secret,
    identityProvider: rotationWritesSecret
      ? { ...identityProvider, notes: [ROTATION_WRITES_SECRET, ...(identityProvider.notes ?? []).slice(1)] }
      : identityProvider,
    warnings: client.warnings
  }
}

/** The entries in the order apply makes them: domain, app client, branding, client secret, identity provider. */
export function entriesOf(plan: Plan): PlanEntry[] {
  return [plan.domain, plan.client, ...(plan.branding ? [plan.branding] : []), ...(plan.secret ? [plan.secret] : []), plan.identityProvider]
}

/** Whether applying the plan changes anything. */
export function hasChanges(plan: Plan): boolean {
  return entriesOf(plan).some(entry => entry.action !== 'no-change')
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
  for (const entry of entriesOf(plan)) {
    const fields = entry.action === 'update' ? `: ${entry.changes.map(change => change.field).join(', ')}` : ''
    lines.push(`  ${LOG_SYMBOL[entry.action]} ${entry.action} ${entry.title}${entry.id ? ` (${entry.id})` : ''}${fields}`)
    for (const note of entry.notes ?? []) lines.push(`      ${note}`)
  }
  return lines
}

/** Counts per action, for the verdict line. */
export function countActions(plan: Plan): Record<Action, number> {
  const counts: Record<Action, number> = { create: 0, update: 0, 'no-change': 0 }
  for (const entry of entriesOf(plan)) counts[entry.action]++
  return counts
}

/** What each entry says for people (and the fingerprint): without what apply sends. */
export function resourcesOf(plan: Plan): ResourcePlan[] {
  return entriesOf(plan).map(({ kind, title, id, action, changes, notes }) => ({
    kind,
    title,
    ...(id === undefined ? {} : { id }),
    action,
    changes,
    ...(notes === undefined ? {} : { notes })
  }))
}

/** The plan as the `plan` output shows it: what changes and the checks, never a secret. */
export function planJson(plan: Plan, checks: readonly CheckResult[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    mode: plan.mode,
    changed: hasChanges(plan),
    resources: resourcesOf(plan),
    warnings: plan.warnings,
    checks,
    endpoints: {
      callbackUrl: plan.endpoints.callbackUrl,
      authUrl: plan.endpoints.authUrl,
      tokenUrl: plan.endpoints.tokenUrl,
      certsUrl: plan.endpoints.certsUrl
    },
    ...extra
  })
}
