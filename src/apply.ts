// Apply: execute the plan, in an order that leaves a safe state at every step. The Cognito side
// (domain, client, branding) is made ready and verified before Cloudflare is pointed at it. When a
// step fails, the error says what was done and what was not; a re-run observes again and finishes
// the job, and creates go through createOnce, so nothing is made twice.
import type { UserPoolClientType } from '@aws-sdk/client-cognito-identity-provider'
import type { CognitoApi } from './cognito/api.js'
import { duplicateClients } from './cognito/app-client.js'
import { waitForActiveDomain } from './cognito/domain.js'
import type { CloudflareApi, IdentityProvider } from './cloudflare/api.js'
import { identityProviderBody, identityProviderChanges, pickByName } from './cloudflare/identity-provider.js'
import { createOnce } from './create-once.js'
import { ActionError, describeError, isTransient, VerificationError } from './errors.js'
import type { HttpClient } from './http.js'
import type { Observed } from './observe.js'
import type { CheckResult, Plan, ResourceKind } from './plan.js'
import type { Settings } from './settings.js'
import { checkReadBack, failureMessage, runChecks } from './verify.js'

export interface ApplyServices {
  cognito: CognitoApi
  cloudflare: CloudflareApi
  http: HttpClient
}

export interface Timings {
  domainPollMs: number
  domainWaitMs: number
  createRetryMs: number
}

export interface Applied {
  clientId: string
  identityProviderId: string
  /** What was written, in order, for the summary. */
  written: string[]
  /** The id of each resource after apply. */
  ids: Partial<Record<ResourceKind, string>>
  checks: CheckResult[]
}

/**
 * Apply stopped by a failure: its message says what failed, what was done before and what was
 * not (one line), and `written` and `finished` say the same for the report and the outputs.
 */
export class ApplyError extends ActionError {
  constructor(
    message: string,
    readonly written: string[],
    readonly finished: ResourceKind[],
    override readonly cause: unknown
  ) {
    super(message)
    // A failed check stays one: the report tells verification failures apart.
    this.name = cause instanceof VerificationError ? cause.name : 'ApplyError'
  }
}

export async function applyPlan(
  plan: Plan,
  observed: Observed,
  settings: Settings,
  services: ApplyServices,
  timings: Timings,
  log: (message: string) => void
): Promise<Applied> {
  const written: string[] = []
  const finished: ResourceKind[] = []
  const done = (kind: ResourceKind, what: string): void => {
    finished.push(kind)
    written.push(what)
    log(`✓ ${what}`)
  }
  try {
    return await applySteps(plan, observed, settings, services, timings, log, done, written)
  } catch (error) {
    throw new ApplyError(applyFailureMessage(plan, error, written, finished), [...written], [...finished], error)
  }
}

/** "<the error> Done before the failure: …. Not done: …. Re-running …", as one line. */
function applyFailureMessage(plan: Plan, error: unknown, written: string[], finished: ResourceKind[]): string {
  const progress = written.length > 0 ? `Done before the failure: ${written.join('; ')}.` : 'Nothing was written before the failure.'
  const notDone = plan.resources
    .filter(resource => resource.action !== 'no-change' && !finished.includes(resource.kind))
    .map(resource => `${resource.action} ${resource.title}`)
  const remaining = notDone.length > 0 ? ` Not done: ${notDone.join('; ')}.` : ''
  return `${describeError(error)} ${progress}${remaining} Re-running the workflow finishes the job without creating anything twice.`
}

async function applySteps(
  plan: Plan,
  observed: Observed,
  settings: Settings,
  services: ApplyServices,
  timings: Timings,
  log: (message: string) => void,
  done: (kind: ResourceKind, what: string) => void,
  written: string[]
): Promise<Applied> {
  const { cognito, cloudflare } = services
  const { steps, endpoints } = plan
  const poolId = settings.userPoolId
  const [domainPlan, clientPlan, ...rest] = plan.resources
  const idpPlan = rest[rest.length - 1]
  const retry = { isTransient, log, delayMs: (attempt: number) => timings.createRetryMs * attempt }

  if (steps.createDomain) {
    const prefix = steps.createDomain
    await createOnce({
      ...retry,
      what: domainPlan.title,
      create: async () => {
        await cognito.createDomain(poolId, prefix)
        return true
      },
      findCreated: async () => ((await cognito.describeDomain(prefix))?.UserPoolId === poolId ? true : undefined)
    })
    done('cognito-domain', `created ${domainPlan.title}`)
  }

  let client: UserPoolClientType
  if ('create' in steps.client) {
    const request = steps.client.create
    client = await createOnce({
      ...retry,
      what: clientPlan.title,
      create: () => cognito.createClient(request),
      findCreated: async () => {
        const ids = await cognito.findClientIdsByName(poolId, request.ClientName!)
        if (ids.length > 1) throw duplicateClients(poolId, request.ClientName!, ids)
        return ids.length === 1 ? cognito.describeClient(poolId, ids[0]) : undefined
      }
    })
    done('cognito-app-client', `created ${clientPlan.title} (${client.ClientId})`)
  } else if ('update' in steps.client) {
    client = await cognito.updateClient(steps.client.update)
    done('cognito-app-client', `updated ${clientPlan.title} (${client.ClientId}): ${clientPlan.changes.map(change => change.field).join(', ')}`)
  } else {
    client = observed.client!
  }
  const clientId = client.ClientId!
  const clientSecret = client.ClientSecret ?? observed.client?.ClientSecret
  if (!clientSecret) throw new ActionError(`app client ${clientId} has no secret; Cloudflare needs a confidential client.`)

  if (steps.createBranding) {
    await cognito.createDefaultBranding(poolId, clientId)
    done('managed-login-branding', 'created the managed login branding style of the app client (Cognito-provided values)')
  }

  let checks: CheckResult[] = []
  if (settings.verify) {
    await waitForActiveDomain(endpoints.hostname, {
      describeStatus: async () => (await cognito.describeDomain(observed.domain.name))?.Status,
      pollMs: timings.domainPollMs,
      maxWaitMs: timings.domainWaitMs,
      log
    })
    checks = await runChecks({
      http: services.http,
      endpoints,
      hostedUiBase: settings.endpoints.hostedUi ?? `https://${endpoints.hostname}`,
      scopes: settings.scopes,
      clientId,
      clientPending: false,
      domainExists: true,
      domainStatus: 'ACTIVE',
      managedLoginVersion: observed.domain.managedLoginVersion,
      hasBranding: true
    })
    const failure = failureMessage(checks)
    if (failure) throw new VerificationError(`${failure}. Nothing was written to Cloudflare.`)
  }

  const idpStep = steps.identityProvider
  const body = identityProviderBody(idpStep.desired, clientId, clientSecret)
  let idp: IdentityProvider | undefined
  if (idpStep.action === 'create') {
    idp = await createOnce({
      ...retry,
      what: idpPlan.title,
      create: () => cloudflare.createIdentityProvider(body),
      findCreated: async () => pickByName(await cloudflare.listIdentityProviders(), body.name, cloudflare.scopeLabel)
    })
    done('cloudflare-identity-provider', `created ${idpPlan.title} (${idp.id})`)
  } else if (idpStep.action === 'update') {
    idp = await cloudflare.updateIdentityProvider(idpStep.id!, body)
    done('cloudflare-identity-provider', `updated ${idpPlan.title} (${idp.id}): ${idpPlan.changes.map(change => change.field).join(', ')}`)
  }
  const identityProviderId = idp?.id ?? idpStep.id!

  if (settings.verify && idp) {
    const stored = await cloudflare.getIdentityProvider(identityProviderId)
    const readBack = stored
      ? checkReadBack(identityProviderChanges(stored, idpStep.desired, clientId, false))
      : checkReadBack([{ field: 'id', before: 'nothing', after: identityProviderId }])
    checks.push(readBack)
    const failure = failureMessage([readBack])
    if (failure) throw new VerificationError(failure)
  }
  const ids = { 'cognito-domain': observed.domain.name, 'cognito-app-client': clientId, 'cloudflare-identity-provider': identityProviderId }
  return { clientId, identityProviderId, written, checks, ids }
}
