// Apply: execute the plan, in an order that leaves a safe state at every step. The Cognito side
// (domain, client, branding) is made ready and verified before Cloudflare is pointed at it. When a
// step fails, the error says what was done and what was not; a re-run observes again and finishes
// the job, and creates go through createOnce, so nothing is made twice.
import type { UserPoolClientType } from '@aws-sdk/client-cognito-identity-provider'
import type { CognitoApi } from './cognito/api.js'
import { duplicateClients } from './cognito/app-client.js'
import { waitForActiveDomain } from './cognito/domain.js'
import type { CloudflareApi, IdentityProvider } from './cloudflare/api.js'
import { identityProviderBody, identityProviderChanges, lostScimSettings, pickByName } from './cloudflare/identity-provider.js'
import { createOnce } from './create-once.js'
import { sleep } from './deadline.js'
import { ActionError, describeError, isRetryableServiceError, VerificationError } from './errors.js'
import type { HttpClient } from './http.js'
import type { Observed } from './observe.js'
import type { CheckResult, Plan, ResourceKind, ResourcePlan } from './plan.js'
import type { Settings } from './settings.js'
import { CHECKS, checkReadBack, failureMessage, runChecks, type VerifyInputs } from './verify.js'

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
    /** The ids of what exists, as far as apply got (a client it created, say). */
    readonly ids: Partial<Record<ResourceKind, string>>,
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
  log: (message: string) => void,
  /** The checks made before apply (verify on), against the state as observed. */
  checkedBefore: CheckResult[] = []
): Promise<Applied> {
  const run = new ApplyRun(plan, observed, settings, services, timings, log, checkedBefore)
  try {
    return await run.execute()
  } catch (error) {
    const message = applyFailureMessage(plan, error, run.written, run.finished)
    throw new ApplyError(message, [...run.written], [...run.finished], { ...run.ids }, error)
  }
}

/** "<the error> Done before the failure: …. Not done: …. <what to do>", as one line. */
function applyFailureMessage(plan: Plan, error: unknown, written: string[], finished: ResourceKind[]): string {
  const progress = written.length > 0 ? `Done before the failure: ${written.join('; ')}.` : 'Nothing was written before the failure.'
  const notDone = plan.resources
    .filter(resource => resource.action !== 'no-change' && !finished.includes(resource.kind))
    .map(resource => `${resource.action} ${resource.title}`)
  const remaining = notDone.length > 0 ? ` Not done: ${notDone.join('; ')}.` : ''
  const next =
    error instanceof VerificationError
      ? 'Fix what the check reports and re-run; nothing is created twice.'
      : 'Re-running the workflow finishes the job without creating anything twice.'
  return `${describeError(error)} ${progress}${remaining} ${next}`
}

/** Hosted-UI probes after the client changed: Cognito may take a moment to serve the change. */
const PROBE_ATTEMPTS = 3

/** One apply, step by step; `written` and `finished` record the progress for the failure message. */
class ApplyRun {
  readonly written: string[] = []
  readonly finished: ResourceKind[] = []
  readonly ids: Partial<Record<ResourceKind, string>> = {}
  private readonly retry: Pick<Parameters<typeof createOnce>[0], 'isTransient' | 'log' | 'delayMs'>

  constructor(
    private readonly plan: Plan,
    private readonly observed: Observed,
    private readonly settings: Settings,
    private readonly services: ApplyServices,
    private readonly timings: Timings,
    private readonly log: (message: string) => void,
    private readonly checkedBefore: CheckResult[]
  ) {
    this.retry = { isTransient: isRetryableServiceError, log, delayMs: (attempt: number) => timings.createRetryMs * attempt }
  }

  async execute(): Promise<Applied> {
    this.stopOnFailedCheck()
    await this.ensureDomain()
    this.ids['cognito-domain'] = this.observed.domain.name
    const client = await this.ensureClient()
    const clientId = client.ClientId!
    this.ids['cognito-app-client'] = clientId
    const clientSecret = client.ClientSecret ?? this.observed.client?.ClientSecret
    if (!clientSecret) throw new ActionError(`app client ${clientId} has no secret; Cloudflare needs a confidential client.`)
    await this.ensureBranding(clientId)
    if (this.settings.verify) await this.verifyCognitoSide(clientId)
    const identityProviderId = await this.ensureIdentityProvider(clientId, clientSecret)
    return { clientId, identityProviderId, written: this.written, checks: this.plan.checks, ids: this.ids }
  }

  /** A check that failed before anything was written stops apply there: nothing is created. */
  private stopOnFailedCheck(): void {
    const failure = failureMessage(this.checkedBefore)
    if (!failure) return
    // Kept on the plan, so that the report shows them.
    this.plan.checks.push(...this.checkedBefore)
    throw new VerificationError(`${failure}. Nothing was written to Cloudflare.`)
  }

  /**
   * The checks made before apply that what it wrote cannot have changed, so they are not fetched
   * again: the JWKS always; the discovery document unless the domain was just created (it names
   * the hosted endpoints only once the domain exists); a probe that passed, unless the client,
   * its branding or the domain was written since.
   */
  private stillHolding(): VerifyInputs['known'] {
    const before = (check: string) => this.checkedBefore.find(result => result.check === check)
    const probe = before(CHECKS.hostedUi)
    const cognitoWritten = this.finished.some(kind => kind !== 'cloudflare-identity-provider')
    return {
      discovery: this.finished.includes('cognito-domain') ? undefined : before(CHECKS.discovery),
      jwks: before(CHECKS.jwks),
      hostedUi: probe?.status === 'pass' && !cognitoWritten ? probe : undefined
    }
  }

  private done(kind: ResourceKind, what: string): void {
    this.finished.push(kind)
    this.written.push(what)
    this.log(`✓ ${what}`)
  }

  private resource(kind: ResourceKind): ResourcePlan {
    return this.plan.resources.find(resource => resource.kind === kind)!
  }

  private async ensureDomain(): Promise<void> {
    const prefix = this.plan.steps.createDomain
    if (!prefix) return
    const { cognito } = this.services
    const poolId = this.settings.userPoolId
    const title = this.resource('cognito-domain').title
    await createOnce({
      ...this.retry,
      what: title,
      create: async () => {
        await cognito.createDomain(poolId, prefix)
        return true
      },
      findCreated: async () => ((await cognito.describeDomain(prefix))?.UserPoolId === poolId ? true : undefined)
    })
    this.done('cognito-domain', `created ${title}`)
  }

  private async ensureClient(): Promise<UserPoolClientType> {
    const step = this.plan.steps.client
    const { cognito } = this.services
    const poolId = this.settings.userPoolId
    const { title, changes } = this.resource('cognito-app-client')
    if ('keep' in step) return this.observed.client!
    if ('update' in step) {
      const client = await cognito.updateClient(step.update)
      this.done('cognito-app-client', `updated ${title} (${client.ClientId}): ${changes.map(change => change.field).join(', ')}`)
      return client
    }
    const request = step.create
    const client = await createOnce({
      ...this.retry,
      what: title,
      create: () => cognito.createClient(request),
      findCreated: async () => {
        const ids = await cognito.findClientIdsByName(poolId, request.ClientName!)
        if (ids.length > 1) throw duplicateClients(poolId, request.ClientName!, ids)
        return ids.length === 1 ? cognito.describeClient(poolId, ids[0]) : undefined
      }
    })
    this.done('cognito-app-client', `created ${title} (${client.ClientId})`)
    return client
  }

  private async ensureBranding(clientId: string): Promise<void> {
    if (!this.plan.steps.createBranding) return
    await this.services.cognito.createDefaultBranding(this.settings.userPoolId, clientId)
    this.done('managed-login-branding', 'created the managed login branding style of the app client (Cognito-provided values)')
  }

  /** The checks, against the Cognito side as it now is; Cloudflare is written only when all pass. */
  private async verifyCognitoSide(clientId: string): Promise<void> {
    const { cognito, http } = this.services
    const { endpoints } = this.plan
    // A domain observed ACTIVE stays so; only a new or still-CREATING one needs describing again.
    if (this.observed.domain.status !== 'ACTIVE' || this.finished.includes('cognito-domain')) {
      await waitForActiveDomain(endpoints.hostname, {
        describeStatus: async () => (await cognito.describeDomain(this.observed.domain.name))?.Status,
        pollMs: this.timings.domainPollMs,
        maxWaitMs: this.timings.domainWaitMs,
        log: this.log
      })
    }
    const clientChanged = this.finished.includes('cognito-app-client') || this.finished.includes('managed-login-branding')
    let checks: CheckResult[] = []
    for (let attempt = 1; attempt <= (clientChanged ? PROBE_ATTEMPTS : 1); attempt++) {
      if (attempt > 1) {
        this.log(
          `The hosted UI does not accept the client yet; checking again in ${this.timings.domainPollMs} ms (${attempt} of ${PROBE_ATTEMPTS}).`
        )
        await sleep(this.timings.domainPollMs, 'the wait before probing the hosted UI again')
      }
      checks = await runChecks({
        http,
        endpoints,
        hostedUiBase: this.settings.endpoints.hostedUi ?? `https://${endpoints.hostname}`,
        scopes: this.settings.scopes,
        pkce: this.settings.pkce,
        poolHostnames: this.observed.domain.poolHostnames,
        clientId,
        clientPending: false,
        domainExists: true,
        domainStatus: 'ACTIVE',
        managedLoginVersion: this.observed.domain.managedLoginVersion,
        hasBranding: true,
        known: this.stillHolding()
      })
      const failed = checks.filter(check => check.status === 'fail')
      if (failed.length === 0 || failed.some(check => check.check !== CHECKS.hostedUi)) break
    }
    // Kept on the plan, so that the report shows them even when they stop the run.
    this.plan.checks.push(...checks)
    const failure = failureMessage(checks)
    if (failure) throw new VerificationError(`${failure}. Nothing was written to Cloudflare.`)
  }

  private async ensureIdentityProvider(clientId: string, clientSecret: string): Promise<string> {
    const { cloudflare } = this.services
    const step = this.plan.steps.identityProvider
    const { title, changes } = this.resource('cloudflare-identity-provider')
    // A create starts from nothing; an update sends back what the action does not manage.
    const body = identityProviderBody(step.desired, clientId, clientSecret, step.action === 'update' ? step.kept : undefined)
    let idp: IdentityProvider
    if (step.action === 'create') {
      idp = await createOnce({
        ...this.retry,
        what: title,
        create: () => cloudflare.createIdentityProvider(body),
        findCreated: async () => pickByName(await cloudflare.listIdentityProviders(), body.name, cloudflare.scopeLabel)
      })
      this.ids['cloudflare-identity-provider'] = idp.id
      this.done('cloudflare-identity-provider', `created ${title} (${idp.id})`)
    } else if (step.action === 'update') {
      idp = await cloudflare.updateIdentityProvider(step.id!, body)
      this.done('cloudflare-identity-provider', `updated ${title} (${idp.id}): ${changes.map(change => change.field).join(', ')}`)
    } else {
      this.ids['cloudflare-identity-provider'] = step.id!
      return step.id!
    }
    this.ids['cloudflare-identity-provider'] = idp.id
    if (this.settings.verify) await this.readBack(idp.id, clientId)
    return idp.id
  }

  /** Cloudflare holds what was sent (all but the secret, which it never returns), SCIM flags included. */
  private async readBack(id: string, clientId: string): Promise<void> {
    const stored = await this.services.cloudflare.getIdentityProvider(id)
    const { desired, kept, action } = this.plan.steps.identityProvider
    const readBack = stored
      ? checkReadBack([
          ...identityProviderChanges(stored, desired, clientId, false),
          ...(action === 'update' ? lostScimSettings(stored, kept) : [])
        ])
      : checkReadBack([{ field: 'id', before: 'nothing', after: id }])
    this.plan.checks.push(readBack)
    const failure = failureMessage([readBack])
    if (failure) throw new VerificationError(failure)
  }
}
