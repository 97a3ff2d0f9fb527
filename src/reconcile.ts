// The reconcile loop, one code path for both modes: observe → plan → check what needs no write →
// (plan mode: stop; apply mode: apply). The plan is a value made once; the checks and what apply
// did are the outcome's. Reporting is the caller's.
import { ApplyError, applyPlan, type ApplyProgress } from './apply.js'
import * as runnerLog from './log.js'
import type { CheckResult } from './model.js'
import { observe, type Observed } from './observe.js'
import { buildPlan, describePlan, type Plan } from './plan.js'
import type { Services } from './services.js'
import type { Settings } from './settings.js'
import { runChecks, verifyInputs } from './verify.js'

export interface Outcome {
  plan: Plan
  observed: Observed
  /** Every verification check that ran: before apply, and (apply mode) those apply ran, also when they stopped it. */
  checks: CheckResult[]
  /** Apply mode: what was done. */
  applied?: ApplyProgress
  /** Apply mode: the failure that stopped it, after the plan was made. */
  error?: unknown
}

/**
 * `beforeApply` runs between the plan and the apply (the reviewed-plan check): what it throws stops
 * the apply before any write, and becomes the outcome's error.
 */
export async function reconcile(
  settings: Settings,
  services: Services,
  log: (message: string) => void,
  beforeApply?: (plan: Plan) => Promise<void>
): Promise<Outcome> {
  const observed = await runnerLog.group('Observe: read Cognito and Cloudflare', () => observe(settings, services))
  const plan = await runnerLog.group('Plan', async () => {
    const made = buildPlan(settings, observed)
    for (const line of describePlan(made)) log(line)
    return made
  })
  for (const warning of plan.warnings) runnerLog.warning(warning)
  // The checks that need no write, in both modes: apply starts writing only when none fails, so a
  // broken issuer or JWKS leaves nothing created.
  const checkedBefore = settings.verify ? await checkObserved(settings, services, observed, plan) : []
  const outcome =
    settings.mode === 'plan'
      ? { plan, observed, checks: checkedBefore }
      : await runnerLog.group('Apply', () => apply(settings, services, log, plan, observed, checkedBefore, beforeApply))
  if (outcome.checks.length > 0) await runnerLog.group('Verification', async () => logChecks(outcome.checks, log))
  return outcome
}

async function apply(
  settings: Settings,
  services: Services,
  log: (message: string) => void,
  plan: Plan,
  observed: Observed,
  checkedBefore: CheckResult[],
  beforeApply?: (plan: Plan) => Promise<void>
): Promise<Outcome> {
  try {
    await beforeApply?.(plan)
    const applied = await applyPlan(plan, observed, settings, services, log, checkedBefore)
    return { plan, observed, checks: checksOf(checkedBefore, applied), applied }
  } catch (error) {
    // The checks that stopped apply are reported too.
    const checks = error instanceof ApplyError ? checksOf(checkedBefore, error.progress) : checkedBefore
    return { plan, observed, checks, error }
  }
}

/** The checks before apply, with those apply ran again after its writes in their place. */
function checksOf(before: CheckResult[], applied: ApplyProgress): CheckResult[] {
  const rerun = new Set(applied.checks.map(check => check.check))
  return [...before.filter(check => !rerun.has(check.check)), ...applied.checks]
}

/**
 * The checks, read-only, against the state as observed (plan mode, and apply before it writes).
 * What depends on a change the plan would make (a new client or domain, a client update, a
 * branding style) is skipped with the reason, since probing the old state would report a failure
 * that apply fixes. The documents and the probe were fetched while observing.
 */
function checkObserved(settings: Settings, services: Services, observed: Observed, plan: Plan): Promise<CheckResult[]> {
  return runChecks(
    verifyInputs(settings, services.http, plan.endpoints, {
      clientId: observed.client?.ClientId,
      clientPending: plan.client.action !== 'no-change',
      domain: observed.domain,
      hasBranding: observed.hasBranding,
      known: { hostedUi: observed.hostedUiProbe }
    })
  )
}

const CHECK_MARK: Record<CheckResult['status'], string> = { pass: '✓', fail: '✗', skip: '–' }

/** One log line per check, so the run's log tells what the report's Verification section does. */
function logChecks(checks: CheckResult[], log: (message: string) => void): void {
  for (const check of checks) log(`Verification ${CHECK_MARK[check.status]} ${check.check}: ${check.detail}`)
}
