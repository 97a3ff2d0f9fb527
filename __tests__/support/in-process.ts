// The in-process tier: `reconcile()` (observe, plan, apply, verify) run inside the test's own
// process against the same fakes as the end-to-end tests, with no bundle and no child process.
// Settings come from `readSettings` with the world's inputs (action.yml's defaults filled in, as
// the runner does) and env; services from `createServices`; the log is what `@actions/core` prints,
// captured. A run returns the Outcome with what a workflow would see of it: the log lines and the
// workflow commands in them, the outputs, the rendered report, and the one error line the step
// would fail with. What only `main.ts` does (the mode line, the job summary file, the PR comment,
// the reviewed-plan check, the run deadline, exit codes) stays with the end-to-end tests.
//
// Process-global state, and how it is kept apart:
// - `@actions/core` writes every log line, mask and annotation to process.stdout: while a run is
//   in flight, stdout is diverted, and each line goes to the run whose async context wrote it
//   (AsyncLocalStorage), so concurrent runs keep their logs apart. Other writes pass through.
// - The secrets registry is one per test file (jest gives each its own module registry) and shared
//   by the runs in flight at once; it is cleared whenever none is. Every run registers its own
//   secrets as it reads them, as a real one does. A registry that still holds a secret from an
//   earlier run of the same world (only while other runs overlap) could hide a secret printed
//   before it was registered: masking order is the end-to-end tests' (e2e/security.test.ts).
// - AWS credentials come from the SDK's default chain: fake keys here, and no profile, config
//   file or instance metadata to fall back on. Proxy variables are removed, so that every call goes
//   straight to the fakes. (Jest gives each test file its own copy of process.env.)
// - The run deadline (src/deadline.ts) is main's: it is never started here, so no run can abort
//   another's work.
import { AsyncLocalStorage } from 'node:async_hooks'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runInThisContext } from 'node:vm'
import { describeError } from '../../src/errors.js'
import * as log from '../../src/log.js'
import { outputValues } from '../../src/outputs.js'
import type { CheckResult } from '../../src/model.js'
import { reconcile, type Outcome } from '../../src/reconcile.js'
import { failureOf } from '../../src/report/publish.js'
import { renderFailure, renderReport, type ReportContext } from '../../src/report/markdown.js'
import { clearSecretsForTest, redact, registerSecret } from '../../src/secrets.js'
import { createServices } from '../../src/services.js'
import { readSettings, type InputProblem, type Settings } from '../../src/settings.js'
import { GITHUB_TOKEN, TEST_SHA } from './constants.js'
import type { HttpFake } from './fakes/http-fake.js'
import { findLeaks } from './leak-check.js'
import { fakeAwsEnv, inputValues, parseCommands, type WorkflowCommand } from './run-action.js'
import type { World } from './world.js'

// --- the one place that knows the shape of an Outcome ----------------------------------------

/** The run's verification checks. */
export function checksOf(outcome: Outcome): CheckResult[] {
  return outcome.checks
}

/** The report as `publish` renders it for the job summary (full version, redacted). */
function reportOf(settings: Settings, outcome: Outcome): string {
  const { applied, error, plan, checks } = outcome
  return redact(
    renderReport(plan, {
      ...reportContext(settings),
      applied: applied && { written: applied.written, ids: applied.ids },
      failure: error === undefined ? undefined : failureOf(error),
      checks
    })
  )
}

/** The outcome as JSON, for the leak check: all but `observed`, which holds the described client (and so its secret) by design. */
function outcomeJson(outcome: Outcome): string {
  const { observed: _observed, error, ...rest } = outcome
  return JSON.stringify({ ...rest, error: error === undefined ? undefined : describeError(error) })
}

// -----------------------------------------------------------------------------------------------

export interface InProcessOptions {
  /** Kebab-case inputs, as in a workflow's `with:` (default: world.inputs()); action.yml's defaults fill the rest. */
  inputs?: Record<string, string>
  /** Extra env on top of world.env(); `undefined` removes a variable. */
  env?: Record<string, string | undefined>
  /** The event that resolves `mode: auto` (default: push, so apply). */
  eventName?: string
}

export interface InProcessResult {
  /** Undefined when an input was refused (see `problems`). */
  settings?: Settings
  /** The inputs refused, each naming its input; nothing was called then. */
  problems: InputProblem[]
  /** What reconcile() returned; undefined when it threw (a failure before there was a plan) or no settings. */
  outcome?: Outcome
  /** The one line the step would fail with (as main prints it: one line, redacted), if the run failed. */
  error?: string
  /** Everything the run printed, line by line, as the runner receives it (`::add-mask::` and annotations included). */
  lines: string[]
  /** The same, as one text (like RunResult.stdout). */
  stdout: string
  commands: WorkflowCommand[]
  warnings: string[]
  notices: string[]
  /** Values passed to `::add-mask::`. */
  masked: string[]
  /** The action's outputs, as setOutputs would set them ({} without an outcome). */
  outputs: Record<string, string>
  /** The report as the job summary would show it. */
  report: string
}

/** Runs reconcile() once against the world's fakes; fails the test if any secret shows in what the run would publish. */
export async function runInProcess(world: World, options: InProcessOptions = {}): Promise<InProcessResult> {
  const inputs = inputValues(options.inputs ?? world.inputs(), GITHUB_TOKEN)
  const env = withoutUndefined({ ...world.env(), ...options.env })
  const fakes = [world.cognito, world.cloudflare, world.github]
  const result = await withCapturedLog(() => reconcileOnce(inputs, env, options.eventName ?? 'push', fakes))
  assertNothingLeaked(result, world)
  return result
}

/** The run's Outcome; a readable failure (the error and the log) when it failed. */
export function expectNoFailure(result: InProcessResult): Outcome {
  if (result.error !== undefined || !result.outcome) throw new Error(`the run failed: ${result.error}\n${result.stdout}`)
  return result.outcome
}

type Reconciled = Omit<InProcessResult, 'lines' | 'stdout' | 'commands' | 'warnings' | 'notices' | 'masked'>

async function reconcileOnce(
  inputs: Record<string, string>,
  env: Record<string, string>,
  eventName: string,
  fakes: HttpFake[]
): Promise<Reconciled> {
  const read = readSettings({ getInput: name => inputs[name] ?? '', env, eventName, onSecret: registerSecret })
  if (!read.ok) {
    const error = log.safeLogText(read.problems.map(problem => `${problem.input}: ${problem.message}`).join(' '))
    return { problems: read.problems, error, outputs: {}, report: '' }
  }
  const { settings } = read
  const services = createServices(settings, log.info)
  try {
    const outcome = await reconcile(settings, services, log.info)
    return {
      settings,
      problems: [],
      outcome,
      error: outcome.error === undefined ? undefined : oneErrorLine(outcome.error),
      outputs: Object.fromEntries(Object.entries(outputValues(outcome)).map(([name, value]) => [name, redact(value)])),
      report: reportOf(settings, outcome)
    }
  } catch (error) {
    // Reads that went out beside the one that failed are still running: let them end, as the
    // action's process does before it exits, so that none outlives this run.
    await quiet(fakes)
    const report = redact(renderFailure({ ...reportContext(settings), failure: { message: redact(describeError(error)) } }))
    return { settings, problems: [], error: oneErrorLine(error), outputs: {}, report }
  } finally {
    await services.close()
  }
}

const QUIET_MS = 100
const MAX_QUIET_WAIT_MS = 10_000

/** Resolves once no fake has had a request in flight for QUIET_MS (at most MAX_QUIET_WAIT_MS). */
async function quiet(fakes: HttpFake[]): Promise<void> {
  const busy = () => fakes.some(fake => fake.inFlight > 0)
  const started = Date.now()
  let quietSince = busy() ? undefined : Date.now()
  while (Date.now() - started < MAX_QUIET_WAIT_MS && (quietSince === undefined || Date.now() - quietSince < QUIET_MS)) {
    await new Promise(resolve => setTimeout(resolve, 10))
    if (busy()) quietSince = undefined
    else quietSince ??= Date.now()
  }
}

/** What main's setFailed prints for a failure. */
function oneErrorLine(error: unknown): string {
  return log.safeLogText(describeError(error))
}

function reportContext(settings: Settings): ReportContext {
  return {
    instance: { scope: settings.cloudflare.scope, idpName: settings.idpName },
    userPoolId: settings.userPoolId,
    mode: settings.mode,
    sha: TEST_SHA,
    modeReason: settings.modeReason
  }
}

function withoutUndefined(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined))
}

// --- the leak check -----------------------------------------------------------------------------

function assertNothingLeaked(result: InProcessResult, world: World): void {
  const secrets = world.secrets()
  const published: Record<string, string> = {
    ...Object.fromEntries(Object.entries(result.outputs).map(([name, value]) => [`output "${name}"`, value])),
    report: result.report,
    error: result.error ?? '',
    ...(result.outcome ? { outcome: outcomeJson(result.outcome) } : {})
  }
  const leaks = [...findLeaks({ log: result.stdout }, secrets, { log: true }), ...findLeaks(published, secrets)]
  if (leaks.length > 0) throw new Error(`${leaks.length} secret leak(s):\n${leaks.map(leak => `  - ${leak}`).join('\n')}`)
}

// --- the log: process.stdout, per run ----------------------------------------------------------

const currentRun = new AsyncLocalStorage<string[]>()
let runsInFlight = 0
let passThrough: typeof process.stdout.write | undefined

async function withCapturedLog(work: () => Promise<Reconciled>): Promise<InProcessResult> {
  startRun()
  const chunks: string[] = []
  try {
    const reconciled = await currentRun.run(chunks, work)
    const stdout = chunks.join('')
    const commands = parseCommands(stdout)
    const messages = (name: string) => commands.filter(command => command.command === name).map(command => command.message)
    return {
      ...reconciled,
      lines: stdout === '' ? [] : stdout.replace(/\n$/, '').split('\n'),
      stdout,
      commands,
      warnings: messages('warning'),
      notices: messages('notice'),
      masked: messages('add-mask')
    }
  } finally {
    endRun()
  }
}

/** The first run in flight diverts stdout and starts from an empty secrets registry. */
function startRun(): void {
  if (runsInFlight++ > 0) return
  clearSecretsForTest()
  const stdout = process.stdout
  const original = stdout.write
  passThrough = original
  stdout.write = function divertedWrite(this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
    const sink = currentRun.getStore()
    if (!sink) return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest)
    sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'))
    const callback = rest.find(arg => typeof arg === 'function') as (() => void) | undefined
    if (callback) process.nextTick(callback)
    return true
  } as typeof stdout.write
}

/** The last run in flight gives stdout back. */
function endRun(): void {
  if (--runsInFlight > 0) return
  if (passThrough) process.stdout.write = passThrough
  passThrough = undefined
}

// --- the process's own environment ------------------------------------------------------------

/**
 * Jest runs each test file, and so the AWS SDK, in a realm of its own, while Node's built-ins
 * (node:http's socket errors: ECONNRESET, a hang-up) make their errors in Node's realm, where
 * `error instanceof Error` is false in the test's realm (jestjs/jest#2549). The SDK's retry
 * middleware then wraps such an error in a bare "AWS SDK error wrapper for …" that has lost its
 * name and code, so a dropped connection would not count as transient, as it does in the bundle
 * (one realm). So here the test realm's Error also recognizes errors of Node's realm.
 */
function recognizeNodeRealmErrors(): void {
  const nodeRealmError = runInThisContext('Error') as ErrorConstructor
  if (nodeRealmError === Error || Object.hasOwn(Error, Symbol.hasInstance)) return
  const ordinaryCheck = Function.prototype[Symbol.hasInstance]
  Object.defineProperty(Error, Symbol.hasInstance, {
    configurable: true,
    value(this: unknown, value: unknown): boolean {
      return ordinaryCheck.call(this, value) || (this === Error && ordinaryCheck.call(nodeRealmError, value))
    }
  })
}

recognizeNodeRealmErrors()

const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']
const AWS_FALLBACKS = [
  'AWS_PROFILE',
  'AWS_SESSION_TOKEN',
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI'
]

for (const name of [...PROXY_VARIABLES, ...AWS_FALLBACKS]) delete process.env[name]
Object.assign(process.env, fakeAwsEnv(join(tmpdir(), 'in-process-no-aws-files')))
