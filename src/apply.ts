// Apply: execute the plan's entries, in an order that leaves a safe state at every step. The Cognito
// side (domain, client, branding) is made ready and verified before Cloudflare is pointed at it.
// Apply reports its own progress (what it wrote, which entries it finished, the ids, the checks it
// ran) in its result, or in its error when a step fails; the plan is never changed. A re-run
// observes again and finishes the job, and creates go through createOnce, so nothing is made twice.
import type { UserPoolClientType } from '@aws-sdk/client-cognito-identity-provider'
import type { CognitoApi } from './cognito/api.js'
import { duplicateClients, type ClientEntry } from './cognito/app-client.js'
import type { BrandingEntry } from './cognito/branding.js'
import { waitForActiveDomain, type DomainEntry } from './cognito/domain.js'
import { ClientSecrets, type NewClientSecret } from './cognito/secrets.js'
import type { CloudflareApi, IdentityProvider } from './cloudflare/api.js'
import {
  identityProviderBody,
  identityProviderChanges,
  lostScimSettings,
  pickByName,
  type IdentityProviderEntry
} from './cloudflare/identity-provider.js'
import { createOnce } from './create-once.js'
import { hostedUiBase } from './endpoints.js'
import { ActionError, describeError, isRetryableServiceError, ServiceError, VerificationError } from './errors.js'
import type { HttpClient } from './http.js'
import type { CheckResult, ResourceKind } from './model.js'
import type { Observed } from './observe.js'
import { entriesOf, type Plan } from './plan.js'
import { pollUntil } from './poll.js'
import { rotateClientSecret, SecretWriteError, type SecretEntry } from './rotation.js'
import type { Settings } from './settings.js'
import {
  CHECKS,
  checkCredentials,
  checkReadBack,
  failureMessage,
  runChecks,
  verifyInputs,
  type CredentialsProbe,
  type VerifyInputs
} from './verify.js'

export interface ApplyServices {
  cognito: CognitoApi
  cloudflare: CloudflareApi
  http: HttpClient
}

/** What apply got done: what it wrote, in order; the entries it finished; the ids of what exists; the checks it ran. */
export interface ApplyProgress {
  written: string[]
  finished: ResourceKind[]
  ids: Partial<Record<ResourceKind, string>>
  checks: CheckResult[]
}

/**
 * Apply stopped by a failure: its message says what failed, what was done before and what was
 * not (one line), and `progress` says the same for the report and the outputs.
 */
export class ApplyError extends ActionError {
  constructor(
    message: string,
    readonly progress: ApplyProgress,
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
  log: (message: string) => void,
  /** The checks made before apply (verify on), against the state as observed. */
  checkedBefore: CheckResult[] = []
): Promise<ApplyProgress> {
  const run = new ApplyRun(plan, observed, settings, services, log, checkedBefore)
  try {
    await run.execute()
    return run.progress
  } catch (error) {
    throw new ApplyError(applyFailureMessage(plan, error, run.progress), run.progress, error)
  }
}

/** "<the error> Done before the failure: …. Not done: …. <what to do>", as one line. */
function applyFailureMessage(plan: Plan, error: unknown, { written, finished }: ApplyProgress): string {
  const progress = written.length > 0 ? `Done before the failure: ${written.join('; ')}.` : 'Nothing was written before the failure.'
  const notDone = entriesOf(plan)
    .filter(entry => entry.action !== 'no-change' && !finished.includes(entry.kind))
    .map(entry => `${entry.action} ${entry.title}`)
  const remaining = notDone.length > 0 ? ` Not done: ${notDone.join('; ')}.` : ''
  const next =
    error instanceof VerificationError
      ? 'Fix what the check reports and re-run; nothing is created twice.'
      : 'Re-running the workflow finishes the job without creating anything twice.'
  return `${describeError(error)} ${progress}${remaining} ${next}`
}

/** Hosted-UI probes after the client changed: Cognito may take a moment to serve the change. */
const PROBE_ATTEMPTS = 3
/** Token endpoint checks of a secret just added: Cognito may take a moment to accept it. */
const NEW_SECRET_CHECK_ATTEMPTS = 6
/** The checks that may pass after a moment when the client (or its secret) just changed. */
const SETTLING_CHECKS: string[] = [CHECKS.hostedUi, CHECKS.credentials]

/** One apply, entry by entry; `progress` records what it got done, for the result or the failure. */
class ApplyRun {
  readonly progress: ApplyProgress = { written: [], finished: [], ids: {}, checks: [] }
  private readonly retry: Pick<Parameters<typeof createOnce>[0], 'isTransient' | 'log' | 'delayMs'>

  constructor(
    private readonly plan: Plan,
    private readonly observed: Observed,
    private readonly settings: Settings,
    private readonly services: ApplyServices,
    private readonly log: (message: string) => void,
    private readonly checkedBefore: CheckResult[]
  ) {
    this.retry = { isTransient: isRetryableServiceError, log, delayMs: (attempt: number) => settings.timing.retryBaseMs * attempt }
  }

  async execute(): Promise<void> {
    const { plan } = this
    this.stopOnFailedCheck()
    await this.ensureDomain(plan.domain)
    const client = await this.ensureClient(plan.client)
    const clientId = client.ClientId!
    const clientSecret = client.ClientSecret ?? this.observed.client?.ClientSecret
    if (!clientSecret) throw new ActionError(`app client ${clientId} has no secret; Cloudflare needs a confidential client.`)
    if (plan.branding) await this.ensureBranding(plan.branding, clientId)
    if (this.settings.verify) await this.verifyCognitoSide(clientId, clientSecret)
    // A rotation runs before the identity provider's entry, which then carries the secret it leaves.
    const secret = plan.secret ? await this.rotateSecret(plan.secret, clientId, clientSecret) : clientSecret
    await this.ensureIdentityProvider(plan.identityProvider, clientId, secret)
  }

  /** A check that failed before anything was written stops apply there: nothing is created. */
  private stopOnFailedCheck(): void {
    const failure = failureMessage(this.checkedBefore)
    if (!failure) return
    this.recordChecks(this.checkedBefore)
    throw new VerificationError(`${failure}. Nothing was written to Cloudflare.`)
  }

  /** Keeps checks for the report; a check run again replaces its earlier result. */
  private recordChecks(checks: CheckResult[]): void {
    const { checks: recorded } = this.progress
    for (const check of checks) {
      const index = recorded.findIndex(known => known.check === check.check)
      if (index >= 0) recorded[index] = check
      else recorded.push(check)
    }
  }

  private done(kind: ResourceKind, what: string): void {
    this.progress.finished.push(kind)
    this.progress.written.push(what)
    this.log(`✓ ${what}`)
  }

  private async ensureDomain(entry: DomainEntry): Promise<void> {
    const prefix = entry.create
    this.progress.ids['cognito-domain'] = this.observed.domain.name
    if (prefix === undefined) return
    const { cognito } = this.services
    const poolId = this.settings.userPoolId
    await createOnce({
      ...this.retry,
      what: entry.title,
      create: async () => {
        await cognito.createDomain(poolId, prefix)
        return true
      },
      findCreated: async () => ((await cognito.describeDomain(prefix))?.UserPoolId === poolId ? true : undefined)
    })
    this.done('cognito-domain', `created ${entry.title}`)
  }

  private async ensureClient(entry: ClientEntry): Promise<UserPoolClientType> {
    const client = await this.writeClient(entry)
    this.progress.ids['cognito-app-client'] = client.ClientId
    return client
  }

  private async writeClient(entry: ClientEntry): Promise<UserPoolClientType> {
    const { request, title, changes } = entry
    const { cognito } = this.services
    const poolId = this.settings.userPoolId
    if (request === undefined) return this.observed.client!
    if ('update' in request) {
      const client = await cognito.updateClient(request.update)
      this.done('cognito-app-client', `updated ${title} (${client.ClientId}): ${changes.map(change => change.field).join(', ')}`)
      return client
    }
    const { create } = request
    const client = await createOnce({
      ...this.retry,
      what: title,
      create: () => cognito.createClient(create),
      findCreated: async () => {
        const ids = await cognito.findClientIdsByName(poolId, create.ClientName!)
        if (ids.length > 1) throw duplicateClients(poolId, create.ClientName!, ids)
        return ids.length === 1 ? cognito.describeClient(poolId, ids[0]) : undefined
      }
    })
    this.done('cognito-app-client', `created ${title} (${client.ClientId})`)
    return client
  }

  private async ensureBranding(entry: BrandingEntry, clientId: string): Promise<void> {
    if (entry.action !== 'create') return
    await this.services.cognito.createDefaultBranding(this.settings.userPoolId, clientId)
    this.done('managed-login-branding', 'created the managed login branding style of the app client (Cognito-provided values)')
  }

  /** The checks, against the Cognito side as it now is; Cloudflare is written only when all pass. */
  private async verifyCognitoSide(clientId: string, clientSecret: string): Promise<void> {
    const failure = failureMessage(await this.runVerification(clientId, clientSecret))
    if (failure) throw new VerificationError(`${failure}. Nothing was written to Cloudflare.`)
  }

  /**
   * Every check with this secret, kept for the report. `fresh`: nothing taken from the checks made
   * before apply (the rotation's verification, once Cloudflare holds the new secret).
   */
  private async runVerification(clientId: string, clientSecret: string, fresh = false): Promise<CheckResult[]> {
    const domainCheck = await this.waitForDomain()
    const checks = domainCheck?.status === 'fail' ? [domainCheck] : await this.checkHostedSide(clientId, clientSecret, domainCheck, fresh)
    this.recordChecks(checks)
    return checks
  }

  /** A domain observed ACTIVE stays so; only a new or still-CREATING one is waited for. Undefined when there was no wait. */
  private async waitForDomain(): Promise<CheckResult | undefined> {
    const { domain } = this.observed
    if (domain.status === 'ACTIVE' && !this.progress.finished.includes('cognito-domain')) return undefined
    const { timing } = this.settings
    return waitForActiveDomain(this.plan.endpoints.hostname, {
      describeStatus: async () => (await this.services.cognito.describeDomain(domain.name))?.Status,
      pollMs: timing.domainPollMs,
      maxWaitMs: timing.domainWaitMs,
      log: this.log
    })
  }

  /**
   * Every check, with the domain ACTIVE. After the client changed, the hosted UI may take a moment
   * to serve it: the probe is looked at again a few times, while it is the only check failing.
   */
  private async checkHostedSide(
    clientId: string,
    clientSecret: string,
    domainCheck: CheckResult | undefined,
    fresh: boolean
  ): Promise<CheckResult[]> {
    const { finished } = this.progress
    const clientChanged = finished.includes('cognito-app-client') || finished.includes('managed-login-branding')
    const inputs = verifyInputs(this.settings, this.services.http, this.plan.endpoints, {
      clientId,
      clientPending: false,
      domain: { ...this.observed.domain, exists: true, status: 'ACTIVE' },
      hasBranding: true,
      ...this.secretToCheck(clientSecret),
      known: fresh ? {} : this.stillHolding()
    })
    const onlySettlingFail = (checks: CheckResult[]) =>
      checks.some(check => check.status === 'fail') &&
      checks.every(check => check.status !== 'fail' || SETTLING_CHECKS.includes(check.check))
    const polled = await pollUntil({
      what: 'the hosted UI to accept the client',
      look: () => runChecks(inputs),
      done: checks => !onlySettlingFail(checks),
      intervalMs: this.settings.timing.domainPollMs,
      maxWaitMs: Number.POSITIVE_INFINITY,
      maxLooks: clientChanged ? PROBE_ATTEMPTS : 1,
      onWait: (_, { looks }) =>
        this.log(
          `The hosted UI does not accept the client yet; checking again in ${this.settings.timing.domainPollMs} ms (${looks + 1} of ${PROBE_ATTEMPTS}).`
        )
    })
    // The waited-for domain's own verdict (with how long it took) stands for the domain check.
    return domainCheck ? polled.value.map(check => (check.check === domainCheck.check ? domainCheck : check)) : polled.value
  }

  /**
   * The secret the token endpoint check tries: checked whenever Cloudflare is sent a secret (any
   * write of the identity provider carries it, and so does a rotation). Otherwise Cloudflare keeps
   * the secret it has, and the check is skipped with the reason: a converged run costs no request.
   */
  private secretToCheck(clientSecret: string): { clientSecret?: string; noSecretReason?: string } {
    if (this.plan.identityProvider.action !== 'no-change' || this.plan.secret?.action === 'update') return { clientSecret }
    return {
      noSecretReason:
        'no secret is sent to Cloudflare in this run, so none is checked (sync-secret: true checks and writes it; rotate-secret gives a new one)'
    }
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
    const { finished } = this.progress
    const cognitoWritten = finished.some(kind => kind !== 'cloudflare-identity-provider')
    return {
      discovery: finished.includes('cognito-domain') ? undefined : before(CHECKS.discovery),
      jwks: before(CHECKS.jwks),
      hostedUi: probe?.status === 'pass' && !cognitoWritten ? probe : undefined
    }
  }

  // --- client-secret rotation: the state machine is rotation.ts; these are its steps ------------

  /** Rotates the client secret when the plan says so; returns the secret the identity provider gets. */
  private async rotateSecret(entry: SecretEntry, clientId: string, clientSecret: string): Promise<string> {
    if (entry.action !== 'update') return clientSecret
    const secrets = new ClientSecrets(this.services.cognito, this.settings.userPoolId, clientId)
    const result = await rotateClientSecret(this.settings, {
      listSecrets: () => secrets.list(),
      addSecret: () => this.addSecretOnce(secrets),
      deleteSecret: id => secrets.delete(id),
      describeSecret: () => this.describedSecret(clientId),
      writeToCloudflare: this.cloudflareUsesClient(clientId) ? secret => this.writeSecretToCloudflare(clientId, secret) : undefined,
      checkSecret: (secret, fresh) =>
        checkCredentials(this.services.http, this.credentialsProbe(clientId, secret), fresh ? this.newSecretRetry() : undefined),
      verify: async secret => {
        if (this.settings.verify) return this.runVerification(clientId, secret, true)
        const checks = [await checkCredentials(this.services.http, this.credentialsProbe(clientId, secret))]
        this.recordChecks(checks)
        return checks
      },
      log: this.log,
      done: what => {
        this.progress.written.push(what)
        this.log(`✓ ${what}`)
      },
      now: Date.now
    })
    this.progress.ids['cognito-client-secret'] = result.secret.id
    this.progress.finished.push('cognito-client-secret')
    return result.secret.value
  }

  private credentialsProbe(clientId: string, clientSecret: string): CredentialsProbe {
    const { endpoints } = this.plan
    return {
      baseUrl: hostedUiBase(this.settings.endpoints.hostedUi, endpoints.hostname),
      clientId,
      clientSecret,
      callbackUrl: endpoints.callbackUrl
    }
  }

  private newSecretRetry() {
    return { attempts: NEW_SECRET_CHECK_ATTEMPTS, delayMs: this.settings.timing.domainPollMs, log: this.log }
  }

  /**
   * AddUserPoolClientSecret is not safe to repeat: after a failure that may have added one anyway
   * (its answer lost), the secret whose value never arrived is deleted before trying again.
   */
  private async addSecretOnce(secrets: ClientSecrets): Promise<NewClientSecret> {
    const before = new Set((await secrets.list()).map(secret => secret.id))
    return createOnce({
      ...this.retry,
      what: `a client secret of app client ${secrets.clientId}`,
      create: () => secrets.add(),
      findCreated: async () => {
        for (const orphan of (await secrets.list()).filter(secret => !before.has(secret.id))) {
          await secrets.delete(orphan.id)
          this.log(`Deleted client secret ${orphan.id}: it was added, but its value never arrived.`)
        }
        return undefined
      }
    })
  }

  /** The client's secret, described: asked by the rotation only while the client has one. */
  private async describedSecret(clientId: string): Promise<string> {
    const secret = (await this.services.cognito.describeClient(this.settings.userPoolId, clientId))?.ClientSecret
    if (!secret) throw new ActionError(`DescribeUserPoolClient shows no secret for app client ${clientId}.`)
    return secret
  }

  /** Whether the identity provider exists and already signs in with this client: then its secret matters now. */
  private cloudflareUsesClient(clientId: string): boolean {
    return this.plan.identityProvider.action !== 'create' && this.observed.identityProvider?.config?.client_id === clientId
  }

  /** The identity provider as planned, with this secret (a PUT sends it whole), then read back. */
  private async writeSecretToCloudflare(clientId: string, secret: string): Promise<void> {
    const entry = this.plan.identityProvider
    const id = entry.id ?? ''
    try {
      await this.services.cloudflare.updateIdentityProvider(id, identityProviderBody(entry.desired, clientId, secret, entry.kept))
    } catch (error) {
      throw new SecretWriteError(describeError(error), refusedOutright(error) ? 'previous' : 'unknown')
    }
    try {
      await this.readBack(entry, id, clientId)
    } catch (error) {
      throw new SecretWriteError(describeError(error), 'new')
    }
  }

  private async ensureIdentityProvider(entry: IdentityProviderEntry, clientId: string, clientSecret: string): Promise<void> {
    const { cloudflare } = this.services
    const { title, changes, action } = entry
    if (action === 'no-change') {
      this.progress.ids['cloudflare-identity-provider'] = entry.id
      return
    }
    // A create starts from nothing; an update sends back what the action does not manage.
    const body = identityProviderBody(entry.desired, clientId, clientSecret, action === 'update' ? entry.kept : undefined)
    let idp: IdentityProvider
    if (action === 'create') {
      idp = await createOnce({
        ...this.retry,
        what: title,
        create: () => cloudflare.createIdentityProvider(body),
        findCreated: async () => pickByName(await cloudflare.listIdentityProviders(), body.name, cloudflare.scopeLabel)
      })
      this.progress.ids['cloudflare-identity-provider'] = idp.id
      this.done('cloudflare-identity-provider', `created ${title} (${idp.id})`)
    } else {
      idp = await cloudflare.updateIdentityProvider(entry.id!, body)
      this.progress.ids['cloudflare-identity-provider'] = idp.id
      this.done('cloudflare-identity-provider', `updated ${title} (${idp.id}): ${changes.map(change => change.field).join(', ')}`)
    }
    if (this.settings.verify) await this.readBack(entry, idp.id, clientId)
  }

  /** Cloudflare holds what was sent (all but the secret, which it never returns), SCIM flags included. */
  private async readBack(entry: IdentityProviderEntry, id: string, clientId: string): Promise<void> {
    const stored = await this.services.cloudflare.getIdentityProvider(id)
    const readBack = stored
      ? checkReadBack([
          ...identityProviderChanges(stored, entry.desired, clientId, false),
          ...(entry.action === 'update' ? lostScimSettings(stored, entry.kept) : [])
        ])
      : checkReadBack([{ field: 'id', before: 'nothing', after: id }])
    this.recordChecks([readBack])
    const failure = failureMessage([readBack])
    if (failure) throw new VerificationError(failure)
  }
}

/** Cloudflare answered the write with a refusal (a 4xx that is not throttling): it keeps what it had. */
function refusedOutright(error: unknown): boolean {
  return error instanceof ServiceError && !error.transient && error.status !== undefined && error.status >= 400 && error.status < 500
}
