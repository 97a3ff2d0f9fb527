// inputs → observe → plan → (apply) → report. Each step lives in its own module.
import { startRunDeadline } from './deadline.js'
import { describeError } from './errors.js'
import { context } from './github-context.js'
import { planFingerprint } from './fingerprint.js'
import * as log from './log.js'
import { setOutputs } from './outputs.js'
import { hasChanges, resourcesOf, type Plan } from './plan.js'
import { reconcile, type Outcome } from './reconcile.js'
import { verdictLine } from './report/markdown.js'
import { instanceName, publish, publishFailure, runContext, withEarlyCommentLookup, type RunContext } from './report/publish.js'
import { reviewContext, reviewGate } from './review.js'
import { registerSecret } from './secrets.js'
import { createServices, type Services } from './services.js'
import { loadSettings, type Settings } from './settings.js'

export async function run(): Promise<void> {
  try {
    await reconcileAndReport()
  } catch (error) {
    log.setFailed(describeError(error))
  }
}

/** The last resort, when something still hangs after the deadline and the report's grace period. */
function exitAfterOverrun(minutes: number): () => void {
  return () => {
    log.setFailed(`The run did not stop within its deadline (timeout-minutes: ${minutes}) and the report's grace period; exiting.`)
    process.exit(1)
  }
}

async function reconcileAndReport(): Promise<void> {
  let runInfo = runContext()
  const settings = await loadSettings(context.eventName, secretlessReason(runInfo), registerSecret)
  if (!settings) return
  startRunDeadline(settings.timeoutMinutes, exitAfterOverrun(settings.timeoutMinutes))
  runInfo = withEarlyCommentLookup(settings, runInfo)
  log.info(`Mode: ${settings.mode} (${settings.modeReason}).`)
  if (!settings.verify) log.notice('verify: false, so the integration checks (discovery, JWKS, domain, hosted UI) are skipped.')

  const services = createServices(settings, log.info)
  const review = reviewGate(settings, reviewContext(), instanceName(settings))
  try {
    const outcome = await reconcileOrReportFailure(settings, services, log.info, runInfo, review.beforeApply)
    log.info(`Plan fingerprint: ${planFingerprint(resourcesOf(outcome.plan))}.`)
    setOutputs(outcome)
    await publish(settings, outcome, runInfo, review.sections())
    log.info(verdictLine(outcome.plan, settings.mode, outcome.checks, outcome.error !== undefined))
    if (outcome.error !== undefined) throw outcome.error
    if (outcome.checks.some(check => check.status === 'fail')) {
      log.setFailed('Verification failed in plan mode, so apply would stop here; see the Verification section of the report.')
    }
    if (settings.mode === 'plan' && settings.failOnChanges && hasChanges(outcome.plan)) {
      log.setFailed('fail-on-changes: the plan has changes (see the report): apply them, or change the configuration to match.')
    }
  } finally {
    await services.close()
  }
}

/** Why this run gets no secrets (GitHub gives none to forks' and Dependabot's pull requests), if it does not. */
function secretlessReason(runInfo: RunContext): string | undefined {
  if (!runInfo.pullRequest) return undefined
  if (runInfo.pullRequest.fromFork) return 'comes from a fork'
  return context.actor === 'dependabot[bot]' ? 'was opened by Dependabot' : undefined
}

/** A failure before there is a plan is reported too (summary, and the comment in plan mode), then rethrown. */
async function reconcileOrReportFailure(
  settings: Settings,
  services: Services,
  log: (message: string) => void,
  runInfo: RunContext,
  beforeApply: (plan: Plan) => Promise<void>
): Promise<Outcome> {
  try {
    return await reconcile(settings, services, log, beforeApply)
  } catch (error) {
    await publishFailure(settings, error, runInfo)
    throw error
  }
}
