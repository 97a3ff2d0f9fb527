// The reconcile loop, one code path for both modes: observe → plan → (plan mode: check and stop;
// apply mode: apply). Reporting is the caller's.
import { applyPlan, type Applied } from './apply.js'
import * as runnerLog from './log.js'
import { observe, type Observed } from './observe.js'
import { buildPlan, describePlan, type CheckResult, type Plan } from './plan.js'
import type { Services } from './services.js'
import type { Settings } from './settings.js'
import { runChecks } from './verify.js'

export interface Outcome {
  plan: Plan
  observed: Observed
  /** Apply mode: what was done. */
  applied?: Applied
  /** Apply mode: the failure that stopped it, after the plan was made. */
  error?: unknown
}

export async function reconcile(settings: Settings, services: Services, log: (message: string) => void): Promise<Outcome> {
  const observed = await observe(settings, services)
  const plan = buildPlan(settings, observed)
  for (const line of describePlan(plan)) log(line)
  for (const warning of plan.warnings) runnerLog.warning(warning)
  if (settings.mode === 'plan') {
    if (settings.verify) plan.checks = await checkPlan(settings, services, observed, plan)
    logChecks(plan.checks, log)
    return { plan, observed }
  }
  try {
    const applied = await applyPlan(
      plan,
      observed,
      settings,
      services,
      {
        domainPollMs: settings.timing.domainPollMs,
        domainWaitMs: settings.timing.domainWaitMs,
        createRetryMs: settings.timing.retryBaseMs
      },
      log
    )
    return { plan, observed, applied }
  } catch (error) {
    return { plan, observed, error }
  } finally {
    // Apply adds each check to the plan as it runs, so the ones that stopped it are logged too.
    logChecks(plan.checks, log)
  }
}

/**
 * Plan mode: the checks run read-only against the current state. What depends on a change the
 * plan would make (a new client or domain, a client update, a branding style) is skipped with the
 * reason, since probing the old state would report a failure that apply fixes.
 */
function checkPlan(settings: Settings, services: Services, observed: Observed, plan: Plan): Promise<CheckResult[]> {
  return runChecks({
    http: services.http,
    endpoints: plan.endpoints,
    hostedUiBase: settings.endpoints.hostedUi ?? `https://${plan.endpoints.hostname}`,
    scopes: settings.scopes,
    pkce: settings.pkce,
    poolHostnames: observed.domain.poolHostnames,
    clientId: observed.client?.ClientId,
    clientPending: !('keep' in plan.steps.client),
    domainExists: observed.domain.exists,
    domainStatus: observed.domain.status,
    managedLoginVersion: observed.domain.managedLoginVersion,
    hasBranding: observed.hasBranding
  })
}

const CHECK_MARK: Record<CheckResult['status'], string> = { pass: '✓', fail: '✗', skip: '–' }

/** One log line per check, so the run's log tells what the report's Verification section does. */
function logChecks(checks: CheckResult[], log: (message: string) => void): void {
  for (const check of checks) log(`Verification ${CHECK_MARK[check.status]} ${check.check}: ${check.detail}`)
}
