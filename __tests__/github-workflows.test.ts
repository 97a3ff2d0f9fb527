// The repository's own workflows (.github/): every file parses; every action is a real one pinned
// to a commit of its node24-era major; CI runs install, lint, type check, the docs check and the
// tests on the Node of .node-version; check-dist rebuilds and compares; Dependabot groups its
// updates. And the self-test job is run here, step by step, as the runner would run it: `run:`
// steps really run in bash (with GITHUB_ENV and GITHUB_OUTPUT), `uses: ./` steps run the bundled
// action through the test harness (helpers/run-action.ts), and `${{ env.* }}` and
// `${{ steps.*.outputs.* }}` are filled in from what earlier steps wrote. Only what this test
// already stands in is skipped: checking out, setting up Node and `npm ci`.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REPO_ROOT, parseFileCommand, runAction, type RunResult } from './support/run-action.js'
import { readYamlStrictly, type WorkflowStep } from './support/workflow-file.js'

const WORKFLOWS = join(REPO_ROOT, '.github/workflows')

/** The actions our workflows may use: each one's current (node24) major, pinned to that release's commit. */
const PINNED: Record<string, { sha: string; version: string }> = {
  'actions/checkout': { sha: '3d3c42e5aac5ba805825da76410c181273ba90b1', version: 'v7.0.1' },
  'actions/setup-node': { sha: '820762786026740c76f36085b0efc47a31fe5020', version: 'v7.0.0' }
}

type Step = WorkflowStep
interface Job {
  name?: string
  'runs-on': string
  'timeout-minutes'?: number
  steps: Step[]
}
interface Workflow {
  name: string
  on: Record<string, unknown>
  permissions?: Record<string, string>
  jobs: Record<string, Job>
}

const parseYamlFile = (path: string) => readYamlStrictly<unknown>(path)

const files = readdirSync(WORKFLOWS).sort()
const workflows = Object.fromEntries(files.map(file => [file, parseYamlFile(join(WORKFLOWS, file))])) as Record<
  string,
  { text: string; value: Workflow }
>

function steps(file: string, job: string): Step[] {
  return workflows[file].value.jobs[job].steps
}

test('.github/workflows has CI, check-dist and the self-test', () => {
  expect(files).toEqual(['check-dist.yml', 'ci.yml', 'self-test.yml'])
})

describe.each(files)('%s', file => {
  const { text, value: workflow } = workflows[file]

  test('runs on pull requests and pushes to main, with a read-only token, every job bounded in time', () => {
    expect(workflow.on).toMatchObject({ push: { branches: ['main'] }, pull_request: null })
    expect(workflow.permissions).toEqual({ contents: 'read' })
    for (const job of Object.values(workflow.jobs)) {
      expect(job['runs-on']).toBe('ubuntu-latest')
      expect(job['timeout-minutes']).toBeGreaterThan(0)
    }
  })

  test('uses only ./ and known actions, each pinned to the commit of its node24 major, with the version beside it', () => {
    const uses = Object.values(workflow.jobs).flatMap(job => job.steps.map(step => step.uses).filter((use): use is string => !!use))
    expect(uses.length).toBeGreaterThan(0)
    for (const use of uses) {
      if (use === './') continue
      const [action, ref] = use.split('@')
      expect(Object.keys(PINNED)).toContain(action)
      expect(ref).toBe(PINNED[action].sha)
      expect(text).toContain(`uses: ${use} # ${PINNED[action].version}`)
    }
  })

  test('checks out without keeping the token, and sets Node up from .node-version', () => {
    for (const job of Object.values(workflow.jobs)) {
      const checkout = job.steps.find(step => step.uses?.startsWith('actions/checkout@'))
      expect(checkout?.with).toEqual({ 'persist-credentials': false })
      const node = job.steps.find(step => step.uses?.startsWith('actions/setup-node@'))
      expect(node?.with).toEqual({ 'node-version-file': '.node-version', cache: 'npm' })
    }
  })

  test('puts no expression into a shell script (values go through env)', () => {
    for (const job of Object.values(workflow.jobs)) for (const step of job.steps) expect(step.run ?? '').not.toContain('${{')
  })
})

test('.node-version is the Node major that action.yml runs on', () => {
  const major = readFileSync(join(REPO_ROOT, '.node-version'), 'utf8').trim()
  const action = parseYamlFile(join(REPO_ROOT, 'action.yml')).value as { runs: { using: string } }
  expect(action.runs.using).toBe(`node${major}`)
  expect(major).toBe(process.versions.node.split('.')[0])
})

test('ci.yml: install, lint (the import check too), type check, README check and tests, in that order', () => {
  const runs = steps('ci.yml', 'test').flatMap(step => (step.run ? [step.run] : []))
  expect(runs).toEqual(['npm ci', 'npm run lint', 'npm run typecheck', 'npm run docs -- --check', 'npm test'])
  const scripts = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>
  expect(scripts.lint).toBe('eslint . && prettier --check . && npm run --silent deps')
  expect(scripts.deps).toBe('depcruise src --config .dependency-cruiser.js')
  expect(scripts.docs).toBe('tsx scripts/readme-tables.ts')
})

test('check-dist.yml: rebuilds dist/ and fails on any difference', () => {
  const runs = steps('check-dist.yml', 'check-dist').flatMap(step => (step.run ? [step.run] : []))
  expect(runs.slice(0, 2)).toEqual(['npm ci', 'npm run bundle'])
  const compare = runs[2]
  expect(compare).toContain('git status --porcelain -- dist')
  expect(compare).toMatch(/exit 1/)
})

test('dependabot.yml: npm and github-actions, weekly, grouped', () => {
  const config = parseYamlFile(join(REPO_ROOT, '.github/dependabot.yml')).value as {
    version: number
    updates: Array<{ 'package-ecosystem': string; directory: string; schedule: { interval: string }; groups: Record<string, unknown> }>
  }
  expect(config.version).toBe(2)
  expect(config.updates.map(update => update['package-ecosystem'])).toEqual(['npm', 'github-actions'])
  for (const update of config.updates) {
    expect(update.directory).toBe('/')
    expect(update.schedule.interval).toBe('weekly')
    expect(Object.keys(update.groups).length).toBeGreaterThan(0)
  }
})

// ---------------------------------------------------------------------------------------------
// The self-test job, run here.

interface JobState {
  /** What steps appended to GITHUB_ENV. */
  env: Record<string, string>
  outputs: Record<string, Record<string, string>>
  temp: string
}

/** `${{ env.X }}` and `${{ steps.ID.outputs.NAME }}`; anything else is beyond this emulation, and fails the test. */
function evaluate(text: string, state: JobState): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_all, expression: string) => {
    const env = /^env\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expression)
    if (env) return state.env[env[1]] ?? ''
    const output = /^steps\.([A-Za-z_][\w-]*)\.outputs\.([\w-]+)$/.exec(expression)
    if (output) return state.outputs[output[1]]?.[output[2]] ?? ''
    throw new Error(`the self-test emulation cannot evaluate \${{ ${expression} }}`)
  })
}

function evaluateAll(values: Record<string, unknown> | undefined, state: JobState): Record<string, string> {
  return Object.fromEntries(Object.entries(values ?? {}).map(([name, value]) => [name, evaluate(String(value), state)]))
}

interface StepRun {
  exitCode: number | null
  log: string
}

/** A `run:` step as the runner runs it on Linux: bash --noprofile --norc -eo pipefail, in the checkout. */
function runShell(step: Step, state: JobState): StepRun {
  const dir = mkdtempSync(join(state.temp, 'step-'))
  const files = { script: join(dir, 'script.sh'), env: join(dir, 'env'), output: join(dir, 'output') }
  writeFileSync(files.script, step.run ?? '')
  writeFileSync(files.env, '')
  writeFileSync(files.output, '')
  const { NODE_OPTIONS: _jestOptions, ...inherited } = process.env
  const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', files.script], {
    cwd: REPO_ROOT,
    env: {
      ...inherited,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: REPO_ROOT,
      RUNNER_TEMP: state.temp,
      GITHUB_ENV: files.env,
      GITHUB_OUTPUT: files.output,
      ...state.env,
      ...evaluateAll(step.env, state)
    },
    encoding: 'utf8',
    timeout: 90_000
  })
  Object.assign(state.env, parseFileCommand(readFileSync(files.env, 'utf8')))
  if (step.id) state.outputs[step.id] = parseFileCommand(readFileSync(files.output, 'utf8'))
  return { exitCode: result.status, log: `${result.stdout}${result.stderr}${result.error ? String(result.error) : ''}` }
}

/** A `uses: ./` step: the bundled action, as the runner runs it, with the job's environment. */
async function runLocalAction(step: Step, state: JobState): Promise<RunResult> {
  const result = await runAction({ inputs: evaluateAll(step.with, state), env: { ...state.env, ...evaluateAll(step.env, state) } })
  if (step.id) state.outputs[step.id] = result.outputs
  return result
}

/** The steps this test stands in for: it runs in a checkout, on Node 24, with dependencies installed. */
function standsIn(step: Step): boolean {
  return /^actions\/(checkout|setup-node)@/.test(step.uses ?? '') || step.run === 'npm ci'
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('self-test.yml, run here', () => {
  const job = () => workflows['self-test.yml'].value.jobs['self-test']
  let state: JobState
  beforeAll(() => {
    state = { env: {}, outputs: {}, temp: mkdtempSync(join(tmpdir(), 'self-test-')) }
  })
  afterAll(() => {
    const pid = Number(state.env.COGNITO_ACCESS_FAKES_PID)
    if (pid > 0 && alive(pid)) process.kill(pid, 'SIGKILL') // only if the workflow's own stop step failed
    rmSync(state.temp, { recursive: true, force: true })
  })

  test('plans, applies, applies again with changed=false, and stops the fakes: every step succeeds', async () => {
    const ran: string[] = []
    const warnings: Record<string, string[]> = {}
    for (const step of job().steps) {
      if (standsIn(step)) continue
      if (step.if !== undefined && step.if !== 'always()') throw new Error(`the self-test emulation cannot evaluate if: ${step.if}`)
      const name = step.name ?? step.id ?? step.uses ?? ''
      if (step.uses === './') {
        const result = await runLocalAction(step, state)
        if (result.exitCode !== 0) throw new Error(`step "${name}" failed (exit ${result.exitCode}):\n${result.stdout}\n${result.stderr}`)
        warnings[name] = result.warnings
      } else if (step.run !== undefined) {
        const result = runShell(step, state)
        if (result.exitCode !== 0) throw new Error(`step "${name}" failed (exit ${result.exitCode}):\n${result.log}`)
      } else {
        throw new Error(`step "${name}" is neither run: nor uses: ./ nor a step this test stands in for`)
      }
      ran.push(name)
    }
    expect(ran).toEqual(['Start the local fakes', 'Plan', 'Apply', 'Apply again', 'Check the outputs', 'Stop the fakes'])
    // No step reached for GitHub (here a closed port, on a runner the real GitHub): the applies do
    // not look for a reviewed plan (reviewed-plan: off), which would warn that there is none.
    expect(warnings).toEqual({ Plan: [], Apply: [], 'Apply again': [] })
    for (const id of ['apply', 'again']) expect(job().steps.find(step => step.id === id)?.with?.['reviewed-plan']).toBe('off')
    expect(state.outputs.plan).toMatchObject({ changed: 'true', 'client-id': '' })
    expect(state.outputs.apply).toMatchObject({ changed: 'true', 'client-id': expect.stringMatching(/\S/) })
    expect(state.outputs.again).toMatchObject({ changed: 'false', 'client-id': state.outputs.apply['client-id'] })
    const pid = Number(state.env.COGNITO_ACCESS_FAKES_PID)
    expect(pid).toBeGreaterThan(0)
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise(resolve => setTimeout(resolve, 100))
    expect(alive(pid)).toBe(false)
  }, 120_000)

  test.each([
    ['a second apply that changed something', 'again', 'changed', 'true', 'second apply: changed=true'],
    ['a plan that saw nothing to do', 'plan', 'changed', 'false', 'plan: changed=false'],
    [
      'a second apply that made another identity provider',
      'again',
      'identity-provider-id',
      'other-idp',
      'second apply: identity-provider-id other-idp'
    ]
  ])('the output check fails on %s', (_case, stepId, output, value, message) => {
    const check = job().steps.find(step => step.name === 'Check the outputs')!
    const outputs = { ...state.outputs, [stepId]: { ...state.outputs[stepId], [output]: value } }
    const result = runShell(check, { ...state, outputs })
    expect(result.exitCode).toBe(1)
    expect(result.log).toContain(message)
  })
})
