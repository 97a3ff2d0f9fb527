// Client-secret rotation with no outage. A Cognito app client may hold two secrets at once, so a
// rotation adds a new one, checks it at the token endpoint, gives it to Cloudflare (read back),
// verifies, and only then deletes the old one: at every moment Cloudflare holds a secret Cognito
// accepts. Nothing is remembered between runs; the state is read from Cognito:
// - one secret: the normal state;
// - two secrets: a rotation stopped between adding and deleting. When a run stops on its own, it
//   leaves Cloudflare holding the newer one (a failed Cloudflare write is rolled back by deleting
//   the new secret), so the next run deletes the older one first. A run that died between steps
//   may have left Cloudflare holding either, and which one DescribeUserPoolClient returns while two
//   are active is not documented, so nothing here depends on either: the value used is always one
//   this run was given by AddUserPoolClientSecret, or the only secret left.
// Every step that could leave Cloudflare holding a rejected secret is followed by the token
// endpoint check of the secret Cloudflare now holds; a failure is repaired at once (add, write,
// check) and the window reported. Reports name secrets by id and date, never by value.
//
// The steps come in as plain functions (the Cognito calls, the Cloudflare write, the checks), so
// that this state machine can be tested on its own.
import { describeSecret, oldestFirst, type ClientSecretInfo, type NewClientSecret } from './cognito/secrets.js'
import { ActionError, describeError } from './errors.js'
import type { CheckResult, ResourcePlan } from './model.js'

export interface RotationSettings {
  /** rotate-secret: rotate in this run. */
  rotateSecret: boolean
  /** rotate-after-days: rotate when the newest secret is older than this; undefined: never by age. */
  rotateAfterDays?: number
}

const DAY_MS = 24 * 60 * 60 * 1000

export function rotationConfigured(settings: RotationSettings): boolean {
  return settings.rotateSecret || settings.rotateAfterDays !== undefined
}

/** What a run does about the secrets, and why, in words for the plan. */
export interface RotationDecision {
  /** Two secrets are active: delete the older (or all but the newest) first. */
  finish: boolean
  /** Add a new secret, and delete the others once Cloudflare holds it. */
  rotate: boolean
  reason: string
}

function ageDays(secret: ClientSecretInfo, now: number): number {
  return Math.floor((now - secret.created.getTime()) / DAY_MS)
}

/** Why the newest secret is too old, or undefined. */
function tooOld(settings: RotationSettings, newest: ClientSecretInfo | undefined, now: number): string | undefined {
  if (settings.rotateAfterDays === undefined || !newest) return undefined
  if (now - newest.created.getTime() <= settings.rotateAfterDays * DAY_MS) return undefined
  return `the newest secret ${describeSecret(newest)} is ${ageDays(newest, now)} days old, more than rotate-after-days (${settings.rotateAfterDays})`
}

/**
 * The decision for a client's secrets (as listed, any order). Finishing an interrupted rotation
 * counts as the rotation rotate-secret asks for: the secret that stays is the one it added.
 */
export function decideRotation(settings: RotationSettings, listed: ClientSecretInfo[], now: number): RotationDecision {
  const secrets = oldestFirst(listed)
  const newest = secrets.at(-1)
  if (secrets.length >= 2) {
    const older = secrets.slice(0, -1).map(describeSecret).join(', ')
    const old = tooOld(settings, newest, now)
    return {
      finish: true,
      rotate: old !== undefined,
      reason:
        `${secrets.length} secrets are active: a rotation stopped before deleting the old one. ` +
        `The older (${older}) is deleted first, and Cloudflare gets the newer (${describeSecret(newest!)})` +
        (old ? `; then, since ${old}, a new secret replaces it` : '')
    }
  }
  if (settings.rotateSecret) return { finish: false, rotate: true, reason: 'requested (rotate-secret: true)' }
  const old = tooOld(settings, newest, now)
  if (old) return { finish: false, rotate: true, reason: old }
  const age = newest ? `the secret ${describeSecret(newest)} is ${ageDays(newest, now)} days old` : 'the client lists no secret'
  const limit = settings.rotateAfterDays === undefined ? 'rotate-secret is false' : `rotate-after-days is ${settings.rotateAfterDays}`
  return { finish: false, rotate: false, reason: `${age}, and ${limit}` }
}

/** Where Cloudflare stands after a failed write of a secret. */
export type HeldAfterFailure = 'previous' | 'unknown' | 'new'

/**
 * A write of a secret to Cloudflare that failed. `held`: `previous` when Cloudflare refused it (it
 * keeps what it had), `unknown` when there was no clear answer, `new` when the write succeeded but
 * the read-back found a difference.
 */
export class SecretWriteError extends ActionError {
  constructor(
    message: string,
    readonly held: HeldAfterFailure
  ) {
    super(message)
    this.name = 'SecretWriteError'
  }
}

/** A rotation that stopped: the message says where, and that (or whether) Cloudflare's secret still works. */
export class RotationError extends ActionError {
  constructor(message: string) {
    super(message)
    this.name = 'RotationError'
  }
}

export interface RotationSteps {
  /** The client's secrets (ListUserPoolClientSecrets). */
  listSecrets: () => Promise<ClientSecretInfo[]>
  /** AddUserPoolClientSecret: the value, masked already. */
  addSecret: () => Promise<NewClientSecret>
  deleteSecret: (id: string) => Promise<void>
  /** The client's secret as DescribeUserPoolClient shows it: asked only while one secret is active. */
  describeSecret: () => Promise<string>
  /**
   * Writes the secret to the Cloudflare identity provider and reads the provider back; throws a
   * SecretWriteError. Undefined when Cloudflare does not use this client yet (a provider to create,
   * or one that gets this client in this run): no secret of it can break a login there.
   */
  writeToCloudflare?: (secret: string) => Promise<void>
  /** The token endpoint check; `fresh` for a secret just made, which may take a moment to be accepted. */
  checkSecret: (secret: string, fresh: boolean) => Promise<CheckResult>
  /** The verification checks, with Cloudflare holding this secret. */
  verify: (secret: string) => Promise<CheckResult[]>
  log: (message: string) => void
  /** A write done, for the report: ids and dates, never a value. */
  done: (what: string) => void
  now: () => number
}

export interface RotationResult {
  /** The secret the client ends with, for the steps after (the identity provider's write). */
  secret: { id: string; value: string }
  /** The client's secrets at the end, oldest first. */
  secrets: ClientSecretInfo[]
  /** Whether Cloudflare was written in the rotation (so the identity provider step need not write again). */
  wroteCloudflare: boolean
  /**
   * A window in which Cloudflare held a secret Cognito rejected: `certain` when a check showed it
   * (then repaired), otherwise the longest it may have lasted (an earlier run died between steps).
   */
  outage?: { ms: number; certain: boolean }
}

interface KnownSecret {
  id: string
  value: string
}

/** Runs the rotation the decision asks for, from the client's secrets as they are now. */
export function rotateClientSecret(settings: RotationSettings, steps: RotationSteps): Promise<RotationResult> {
  return new Rotation(settings, steps).run()
}

class Rotation {
  private secrets: ClientSecretInfo[] = []
  /** The secret Cloudflare is known to hold, once this run wrote one. */
  private held?: KnownSecret
  private wroteCloudflare = false
  private repaired = false
  private outage?: RotationResult['outage']

  constructor(
    private readonly settings: RotationSettings,
    private readonly steps: RotationSteps
  ) {}

  async run(): Promise<RotationResult> {
    this.secrets = oldestFirst(await this.steps.listSecrets())
    if (this.secrets.length === 0) {
      throw new RotationError(
        'ListUserPoolClientSecrets lists no secret for the app client, so there is nothing to rotate; nothing was changed.'
      )
    }
    const decision = decideRotation(this.settings, this.secrets, this.steps.now())
    this.steps.log(`Client secret: ${decision.reason}.`)
    let current = decision.finish ? await this.finish() : undefined
    // A repair during the finish already gave the client a new secret.
    if (decision.rotate && !this.repaired) current = await this.rotate(current ?? (await this.onlySecret()))
    current ??= await this.onlySecret()
    return { secret: current, secrets: this.secrets, wroteCloudflare: this.wroteCloudflare, outage: this.outage }
  }

  /** The one active secret, by value: DescribeUserPoolClient is unambiguous while there is one. */
  private async onlySecret(): Promise<KnownSecret> {
    return { id: this.secrets[0].id, value: await this.steps.describeSecret() }
  }

  private record(what: string): void {
    this.steps.done(what)
  }

  // --- two secrets: finish the interrupted rotation -------------------------------------------

  /**
   * Deletes every secret but the newest, then gives Cloudflare the one left. Cloudflare may have
   * held a deleted one (a run that died between writing and deleting), so the window from the
   * delete to the write is reported as the longest it may have lasted.
   */
  private async finish(): Promise<KnownSecret> {
    const newest = this.secrets.at(-1)!
    const started = this.steps.now()
    for (const older of this.secrets.slice(0, -1)) {
      await this.deleteOrStop(older, newest, 'the older of the two secrets a stopped rotation left')
    }
    const survivor = await this.onlySecret()
    const check = await this.steps.checkSecret(survivor.value, false)
    if (check.status !== 'pass') return this.repair(started, `the secret left, ${describeSecret(newest)}, is not accepted: ${check.detail}`)
    if (!this.steps.writeToCloudflare) return survivor
    await this.writeOrStop(survivor, started)
    const held = await this.steps.checkSecret(survivor.value, false)
    if (held.status !== 'pass')
      return this.repair(started, `Cloudflare's secret ${survivor.id} is rejected after the write: ${held.detail}`)
    const ms = this.steps.now() - started
    this.outage = { ms, certain: false }
    this.steps.log(
      `Cloudflare now holds client secret ${describeSecret(newest)}, which Cognito accepts. Had it still held the deleted one ` +
        `(a run that stopped between adding and deleting), logins failed for at most ${ms} ms, from the delete to this write.`
    )
    return survivor
  }

  /** Deletes a secret in a finish; a failure stops the run with both secrets still active, Cloudflare's working. */
  private async deleteOrStop(secret: ClientSecretInfo, kept: ClientSecretInfo, why: string): Promise<void> {
    try {
      await this.steps.deleteSecret(secret.id)
    } catch (error) {
      throw new RotationError(
        `Deleting client secret ${describeSecret(secret)} (${why}) failed: ${describeError(error)} ` +
          `Cognito still has it and ${describeSecret(kept)}, and accepts both, so Cloudflare's secret works whichever it holds. Re-run to finish.`
      )
    }
    this.secrets = this.secrets.filter(other => other.id !== secret.id)
    this.record(`deleted client secret ${describeSecret(secret)}: ${why}`)
  }

  /** The write after a finish's delete: if it fails, Cloudflare may hold the deleted secret, and only a write can tell. */
  private async writeOrStop(secret: KnownSecret, started: number): Promise<void> {
    try {
      await this.writeCloudflare(secret)
    } catch (error) {
      if (error instanceof SecretWriteError && error.held === 'new') {
        throw new RotationError(
          `Cloudflare took client secret ${secret.id}, the only one left, which Cognito accepts, but the read-back failed: ${describeError(error)} ` +
            'Fix what the read-back reports and re-run.'
        )
      }
      throw new RotationError(
        `Writing client secret ${secret.id}, the only one left, to Cloudflare failed: ${describeError(error)} ` +
          `If Cloudflare still holds the deleted secret, logins fail since ${this.steps.now() - started} ms ago: re-run now with sync-secret: true, which writes it again.`
      )
    }
  }

  private async writeCloudflare(secret: KnownSecret): Promise<void> {
    await this.steps.writeToCloudflare!(secret.value)
    this.held = secret
    this.wroteCloudflare = true
    this.record(`wrote client secret ${secret.id} to the Cloudflare identity provider, and read the provider back`)
  }

  // --- one secret: rotate ---------------------------------------------------------------------

  /** Add, check, write and read back, verify, then delete the others. */
  private async rotate(previous: KnownSecret): Promise<KnownSecret> {
    const added = await this.add()
    const fresh = await this.steps.checkSecret(added.value, true)
    if (fresh.status !== 'pass') {
      await this.rollBack(added, 'it is not accepted at the token endpoint')
      throw new RotationError(
        `The new client secret ${describeSecret(added)} is not accepted at the token endpoint (${fresh.detail}). ` +
          `It was deleted again; Cognito keeps ${previous.id}, and Cloudflare the secret it had. Re-run to rotate.`
      )
    }
    if (this.steps.writeToCloudflare) {
      await this.writeNew(added, previous)
      await this.verify(added, previous)
    }
    await this.deleteOthers(added)
    return added
  }

  private async add(): Promise<NewClientSecret> {
    const added = await this.steps.addSecret()
    this.secrets = oldestFirst([...this.secrets, added])
    this.record(`added client secret ${describeSecret(added)}`)
    return added
  }

  /** Writes the new secret; a failure leaves Cloudflare holding a secret Cognito accepts, then stops. */
  private async writeNew(added: NewClientSecret, previous: KnownSecret): Promise<void> {
    try {
      await this.writeCloudflare(added)
      return
    } catch (error) {
      const held = error instanceof SecretWriteError ? error.held : 'unknown'
      if (held === 'new') {
        this.held = added
        throw new RotationError(
          `Cloudflare took the new client secret ${describeSecret(added)} but the read-back failed: ${describeError(error)} ` +
            `Cognito keeps both secrets (${previous.id} and ${added.id}); Cloudflare holds the newer, which Cognito accepts. ` +
            'Fix what the read-back reports and re-run: the run deletes the older secret first.'
        )
      }
      const cause = describeError(error)
      if (held === 'unknown') await this.writeBack(previous, added, cause)
      await this.rollBack(added, 'Cloudflare did not take it')
      throw new RotationError(
        `Writing the new client secret ${added.id} to Cloudflare failed: ${cause} It was deleted again (rolled back): ` +
          `Cognito has ${previous.id}, the secret Cloudflare holds. Re-run to rotate.`
      )
    }
  }

  /**
   * After a write with no clear answer, Cloudflare may hold either secret, and deleting the new one
   * would be safe only if it holds the old: so write the old one back first (checked, like every
   * secret before Cloudflare gets it). If that fails too, both stay: Cognito accepts both.
   */
  private async writeBack(previous: KnownSecret, added: NewClientSecret, cause: string): Promise<void> {
    const bothStay = `Cognito keeps both secrets (${previous.id} and ${added.id}) and accepts both, so Cloudflare's secret works whichever it holds. Re-run to finish the rotation.`
    const check = await this.steps.checkSecret(previous.value, false)
    if (check.status !== 'pass') {
      throw new RotationError(`Writing the new client secret ${added.id} to Cloudflare failed with no clear answer: ${cause} ${bothStay}`)
    }
    try {
      await this.writeCloudflare(previous)
    } catch (error) {
      throw new RotationError(
        `Writing the new client secret ${added.id} to Cloudflare failed with no clear answer (${cause}), and so did writing back ${previous.id} (${describeError(error)}). ${bothStay}`
      )
    }
  }

  /** Deletes a secret Cloudflare does not hold (a rollback); if that fails, both stay, which is safe. */
  private async rollBack(added: NewClientSecret, why: string): Promise<void> {
    try {
      await this.steps.deleteSecret(added.id)
    } catch (error) {
      throw new RotationError(
        `The new client secret ${describeSecret(added)} was to be deleted again (${why}), but that failed too: ${describeError(error)} ` +
          'Cognito keeps both secrets, and Cloudflare the older, which Cognito accepts. Re-run: the run deletes the older secret first and gives Cloudflare the newer.'
      )
    }
    this.secrets = this.secrets.filter(other => other.id !== added.id)
    this.record(`deleted client secret ${describeSecret(added)} again (rolled back: ${why})`)
    if (this.held) await this.confirmHeld(this.steps.now(), `deleting ${added.id}`)
  }

  /** The verification checks with Cloudflare holding the new secret; a failure stops with both secrets active. */
  private async verify(added: NewClientSecret, previous: KnownSecret): Promise<void> {
    const failed = (await this.steps.verify(added.value)).filter(check => check.status === 'fail')
    if (failed.length === 0) return
    throw new RotationError(
      `Verification failed after Cloudflare got the new client secret ${describeSecret(added)}: ` +
        `${failed.map(check => `${check.check}: ${check.detail}`).join(' | ')}. ` +
        `Cognito keeps both secrets (${previous.id} and ${added.id}); Cloudflare holds the newer, which Cognito accepts. ` +
        'Fix what the check reports and re-run: the run deletes the older secret first.'
    )
  }

  /** Deletes every secret but `kept`, each delete followed by the check of the secret Cloudflare holds. */
  private async deleteOthers(kept: KnownSecret): Promise<void> {
    for (const other of this.secrets.filter(secret => secret.id !== kept.id)) {
      const started = this.steps.now()
      try {
        await this.steps.deleteSecret(other.id)
      } catch (error) {
        const where = this.held
          ? `Cloudflare holds the newer (${kept.id}), which Cognito accepts`
          : 'Cloudflare does not use this client yet'
        throw new RotationError(
          `Deleting the old client secret ${describeSecret(other)} failed: ${describeError(error)} ` +
            `Cognito keeps both secrets; ${where}. Re-run: the run deletes the older secret first.`
        )
      }
      this.secrets = this.secrets.filter(secret => secret.id !== other.id)
      this.record(`deleted client secret ${describeSecret(other)}`)
      if (this.held) await this.confirmHeld(started, `deleting ${other.id}`)
    }
  }

  // --- after a risky step ---------------------------------------------------------------------

  /** The token endpoint check of the secret Cloudflare holds; a rejection is repaired at once. */
  private async confirmHeld(since: number, step: string): Promise<void> {
    const held = this.held!
    const check = await this.steps.checkSecret(held.value, false)
    if (check.status === 'pass') return
    await this.repair(since, `Cloudflare's secret ${held.id} is rejected after ${step}: ${check.detail}`)
  }

  /**
   * Cloudflare holds (or may hold) a secret Cognito rejects: add a secret, write it, check it, and
   * report how long the window was; then delete the others. Once per run: a second failure stops it.
   */
  private async repair(since: number, why: string): Promise<KnownSecret> {
    if (this.repaired || this.secrets.length >= 2) {
      throw new RotationError(
        `${why}. The run already repaired once (or cannot add a secret now), so it stops: logins may fail. Re-run now.`
      )
    }
    this.repaired = true
    this.steps.log(`${why}. Repairing at once: a new secret, checked, and written to Cloudflare where it uses this client.`)
    const added = await this.add()
    const fresh = await this.steps.checkSecret(added.value, true)
    if (fresh.status !== 'pass') {
      throw new RotationError(
        `${why}. The repair's new secret ${describeSecret(added)} is not accepted either (${fresh.detail}): logins may fail. Re-run now.`
      )
    }
    if (this.steps.writeToCloudflare) {
      try {
        await this.writeCloudflare(added)
      } catch (error) {
        throw new RotationError(
          `${why}. Writing the repair's new secret ${added.id} to Cloudflare failed (${describeError(error)}): logins may fail. Re-run now.`
        )
      }
      const held = await this.steps.checkSecret(added.value, false)
      if (held.status !== 'pass')
        throw new RotationError(
          `${why}. The repair's secret ${added.id} is rejected after the write (${held.detail}): logins may fail. Re-run now.`
        )
    }
    if (this.steps.writeToCloudflare) {
      const ms = this.steps.now() - since
      this.outage = { ms, certain: true }
      this.record(`repaired: Cloudflare held a secret Cognito rejects for ${ms} ms, until it got client secret ${describeSecret(added)}`)
    } else {
      this.record(`replaced the rejected secret with client secret ${describeSecret(added)} (Cloudflare does not use this client yet)`)
    }
    await this.deleteOthers(added)
    return added
  }
}

// --- the plan's entry -------------------------------------------------------------------------

/** The identity provider's note about its secret when a rotation writes it. */
export const ROTATION_WRITES_SECRET =
  'client_secret is written by the rotation of the app client secret (see that entry), once the new secret passes the token endpoint check.'

/** What the plan needs to know about the client and the identity provider. */
/** The client secret's plan entry: rotate it (or finish a rotation that stopped), or keep it. */
export interface SecretEntry extends ResourcePlan {
  kind: 'cognito-client-secret'
}

export interface SecretPlanInputs {
  settings: RotationSettings
  /** The app client's id; undefined when it is created in this run (with a new secret). */
  clientId?: string
  /** The client's secrets, as observed. */
  secrets?: ClientSecretInfo[]
  /** The identity provider, when it exists and uses this client: a rotation writes its secret. */
  identityProvider?: { id: string; name: string; readOnly: boolean }
  now: number
}

/**
 * The plan's entry for the client secret (kind `cognito-client-secret`), when a rotation input is
 * set: `update` with the field `secret: rotate` and the reason, or `no-change` with why not. It
 * names secrets by id and creation date, never by value.
 */
export function secretPlan(inputs: SecretPlanInputs): SecretEntry | undefined {
  if (!rotationConfigured(inputs.settings)) return undefined
  const title = 'Cognito app client secret'
  if (!inputs.clientId || !inputs.secrets) {
    return {
      kind: 'cognito-client-secret',
      title,
      action: 'no-change',
      changes: [],
      notes: ['secret: not rotated: the app client is created in this run, with a new secret.']
    }
  }
  const decision = decideRotation(inputs.settings, inputs.secrets, inputs.now)
  const secrets = oldestFirst(inputs.secrets)
  const id = secrets.at(-1)?.id
  if (!decision.finish && !decision.rotate) {
    return { kind: 'cognito-client-secret', title, id, action: 'no-change', changes: [], notes: [`secret: kept: ${decision.reason}.`] }
  }
  const idp = inputs.identityProvider
  if (idp?.readOnly) {
    throw new ActionError(
      `rotate-secret / rotate-after-days: Cloudflare identity provider ${idp.id} ("${idp.name}") is read-only (read_only: true), so its client secret ` +
        'cannot be changed through the API, and deleting the secret it holds would break every login. Nothing was written. Rotate where that provider is managed.'
    )
  }
  const where = idp
    ? `written to Cloudflare identity provider “${idp.name}” and read back`
    : 'given to the Cloudflare identity provider by this run'
  const steps = decision.rotate
    ? `A new secret is checked at the token endpoint, ${where}, verified; only then is the old one deleted.`
    : `The secret left is checked at the token endpoint and ${where}.`
  return {
    kind: 'cognito-client-secret',
    title,
    id,
    action: 'update',
    changes: [{ field: 'secret', before: secrets.map(describeSecret), after: 'rotate' }],
    notes: [`secret: rotate: ${decision.reason}. ${steps}`]
  }
}
