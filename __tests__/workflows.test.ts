// The example workflows in docs/workflows/, which people copy: parsed, and checked for the shape
// the issue asks for (triggers, permissions, concurrency, node24-era actions, the apply job in a
// protected environment with an AWS role trusted only from it) and against action.yml (every input
// our step gives is declared, every required one is given). actionlint would check more of GitHub's
// syntax, but knows nothing of this action's inputs; see the report of the change that added this.
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { isMap, isScalar, parseDocument } from 'yaml'
import { REPO_ROOT } from './support/run-action.js'
import { type WorkflowStep } from './support/workflow-file.js'

const DIR = join(REPO_ROOT, 'docs/workflows')
const ACTION = 'acme-platform/cognito-cloudflare-access@v1'
/** The current major of configure-aws-credentials, the first on node24 (v4 and v5 ran on node20). */
const AWS = 'aws-actions/configure-aws-credentials@v6'
const CONSUMER = 'acme-platform/infrastructure'
const APPLY_GROUP = 'cognito-cloudflare-access-apply'

type Step = WorkflowStep
interface Job {
  permissions?: Record<string, string>
  environment?: string | { name: string }
  steps: Step[]
}
interface Workflow {
  name: string
  on: Record<string, { branches?: string[]; inputs?: Record<string, { type: string; default: unknown }> } | null>
  permissions?: Record<string, string>
  concurrency?: { group: string; 'cancel-in-progress': boolean }
  jobs: Record<string, Job>
}
interface InputSpec {
  required?: boolean
  default?: unknown
}

const inputs = parseDocument(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')).toJS().inputs as Record<string, InputSpec>

function load(file: string) {
  const text = readFileSync(join(DIR, file), 'utf8')
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true })
  expect(document.errors).toEqual([])
  expect(document.warnings).toEqual([])
  return { text, document, workflow: document.toJS() as Workflow }
}

/** The comment written just above a top-level key. */
function commentAbove(document: ReturnType<typeof parseDocument>, key: string): string {
  const contents = document.contents
  if (!isMap(contents)) return ''
  const pair = contents.items.find(item => isScalar(item.key) && item.key.value === key)
  return (pair?.key as { commentBefore?: string } | undefined)?.commentBefore ?? ''
}

function onlyJob(workflow: Workflow): Job {
  const jobs = Object.values(workflow.jobs)
  expect(jobs).toHaveLength(1)
  return jobs[0]
}

function ourStep(workflow: Workflow): Step {
  const steps = onlyJob(workflow).steps.filter(step => step.uses?.includes('cognito-cloudflare-access'))
  expect(steps).toHaveLength(1)
  return steps[0]
}

/** The job's permissions: its own, else the workflow's. */
function permissions(workflow: Workflow): Record<string, string> {
  return onlyJob(workflow).permissions ?? workflow.permissions ?? {}
}

const FILES = ['apply.yml', 'plan.yml', 'dispatch.yml', 'drift.yml', 'rotate.yml']

test('docs/workflows holds exactly the four example workflows', () => {
  expect(readdirSync(DIR).sort()).toEqual([...FILES].sort())
})

describe.each(FILES)('%s', file => {
  const { text, document, workflow } = load(file)

  test('uses the action as acme-platform/cognito-cloudflare-access@v1, with declared inputs only, and every required one', () => {
    const step = ourStep(workflow)
    expect(step.uses).toBe(ACTION)
    const given = Object.keys(step.with ?? {})
    expect(given.filter(name => !(name in inputs))).toEqual([])
    const required = Object.entries(inputs)
      .filter(([, spec]) => spec.required && spec.default === undefined)
      .map(([name]) => name)
    expect(required.length).toBeGreaterThan(0)
    for (const name of required) expect(String(step.with?.[name] ?? '')).not.toBe('')
  })

  test('gives the Cloudflare token from secrets.CLOUDFLARE_API_TOKEN, and no secret anywhere else', () => {
    expect(ourStep(workflow).with?.['cloudflare-api-token']).toBe('${{ secrets.CLOUDFLARE_API_TOKEN }}')
    expect(text.match(/secrets\.[A-Z_]+/g)).toEqual(['secrets.CLOUDFLARE_API_TOKEN'])
  })

  test('gets AWS credentials through OpenID Connect before the action runs, with no stored keys', () => {
    const steps = onlyJob(workflow).steps
    const aws = steps.findIndex(step => step.uses === AWS)
    expect(aws).toBeGreaterThanOrEqual(0)
    expect(aws).toBeLessThan(steps.indexOf(ourStep(workflow)))
    expect(steps[aws].with).toEqual({
      'role-to-assume': expect.stringMatching(/^arn:aws:iam::\d{12}:role\/.+/),
      'aws-region': expect.any(String)
    })
    expect(permissions(workflow)['id-token']).toBe('write')
    expect(permissions(workflow).contents).toBe('read')
  })

  test('has a concurrency group, and a comment above it that says why', () => {
    expect(workflow.concurrency?.group).toEqual(expect.any(String))
    expect(typeof workflow.concurrency?.['cancel-in-progress']).toBe('boolean')
    expect(commentAbove(document, 'concurrency').length).toBeGreaterThan(80)
  })

  test('puts no expression into a shell script (values go through env)', () => {
    for (const step of onlyJob(workflow).steps) expect(step.run ?? '').not.toContain('${{')
  })

  test('uses only node24-era actions: this action and the current configure-aws-credentials', () => {
    const uses = onlyJob(workflow).steps.flatMap(step => (step.uses ? [step.uses] : []))
    expect([...new Set(uses)].sort()).toEqual([ACTION, AWS].sort())
  })
})

/** The OIDC subject the comment above role-to-assume says the role's trust policy admits. */
function trustedSubject(text: string): string | undefined {
  return /token\.actions\.githubusercontent\.com:sub = (\S+?)\)/.exec(text)?.[1]
}

test.each(['apply.yml', 'dispatch.yml', 'rotate.yml'])(
  '%s: applies in the protected production environment, with a role trusted only from it',
  file => {
    const { workflow, text } = load(file)
    const job = onlyJob(workflow)
    expect(job.environment).toBe('production')
    const role = job.steps.find(step => step.uses === AWS)?.with?.['role-to-assume']
    expect(role).toBe('arn:aws:iam::123456789012:role/cognito-cloudflare-access-apply')
    if (file === 'apply.yml') expect(trustedSubject(text)).toBe(`repo:${CONSUMER}:environment:production`)
  }
)

test('plan.yml: no environment (plans need no approval), a read-only role trusted from pull requests', () => {
  const { workflow, text } = load('plan.yml')
  expect(onlyJob(workflow).environment).toBeUndefined()
  expect(onlyJob(workflow).steps.find(step => step.uses === AWS)?.with?.['role-to-assume']).toMatch(/-plan$/)
  expect(trustedSubject(text)).toBe(`repo:${CONSUMER}:pull_request`)
})

test('apply.yml: applies on a push to main, never cancelled, in the group it shares with dispatch.yml, only the reviewed plan', () => {
  const { workflow, document } = load('apply.yml')
  expect(Object.keys(workflow.on)).toEqual(['push'])
  expect(workflow.on.push?.branches).toEqual(['main'])
  expect(ourStep(workflow).with?.mode).toBe('apply')
  expect(ourStep(workflow).with?.['reviewed-plan']).toBe('require')
  expect(workflow.concurrency).toEqual({ group: APPLY_GROUP, 'cancel-in-progress': false })
  expect(commentAbove(document, 'concurrency')).toMatch(/at once/)
  // Reading the merged pull request's plan comment needs no write.
  expect(permissions(workflow)).toEqual({ contents: 'read', 'id-token': 'write', 'pull-requests': 'read' })
})

test('drift.yml: a daily schedule that only plans, keeps the drift issue, one run at a time, with the read-only role', () => {
  const { workflow, text } = load('drift.yml')
  expect(Object.keys(workflow.on)).toEqual(['schedule'])
  const schedule = workflow.on.schedule as unknown as Array<{ cron: string }>
  expect(schedule).toHaveLength(1)
  expect(schedule[0].cron).toMatch(/^\d{1,2} \d{1,2} \* \* \*$/)
  expect(permissions(workflow)).toEqual({ contents: 'read', 'id-token': 'write', issues: 'write' })
  const step = ourStep(workflow)
  expect(step.with?.mode).toBe('plan')
  expect(step.with?.['drift-issue']).not.toBe(false)
  expect(workflow.concurrency).toEqual({ group: 'cognito-cloudflare-access-drift', 'cancel-in-progress': false })
  expect(onlyJob(workflow).environment).toBeUndefined()
  expect(onlyJob(workflow).steps.find(s => s.uses === AWS)?.with?.['role-to-assume']).toMatch(/-plan$/)
  expect(trustedSubject(text)).toBe(`repo:${CONSUMER}:ref:refs/heads/main`)
})

test('plan.yml: plans on pull requests, may comment, one plan per pull request, skips AWS on forks', () => {
  const { workflow } = load('plan.yml')
  expect(Object.keys(workflow.on)).toEqual(['pull_request'])
  expect(permissions(workflow)).toEqual({ contents: 'read', 'id-token': 'write', 'pull-requests': 'write' })
  const step = ourStep(workflow)
  expect(step.with?.mode).toBe('plan')
  expect(step.with?.comment).not.toBe(false)
  expect(workflow.concurrency).toEqual({
    group: expect.stringContaining('${{ github.event.pull_request.number }}'),
    'cancel-in-progress': true
  })
  const aws = onlyJob(workflow).steps.find(s => s.uses === AWS)
  expect(aws?.if).toBe('github.event.pull_request.head.repo.full_name == github.repository')
})

test('dispatch.yml: a dry-run boolean input maps to mode, in the apply group', () => {
  const { workflow } = load('dispatch.yml')
  expect(Object.keys(workflow.on)).toEqual(['workflow_dispatch'])
  expect(workflow.on.workflow_dispatch?.inputs?.['dry-run']).toMatchObject({ type: 'boolean', default: true })
  expect(ourStep(workflow).with?.mode).toBe("${{ inputs.dry-run && 'plan' || 'apply' }}")
  expect(workflow.concurrency).toEqual({ group: APPLY_GROUP, 'cancel-in-progress': false })
})

test('rotate.yml: monthly on a schedule and by hand, applies with the rotation inputs, in the apply group', () => {
  const { workflow, text } = load('rotate.yml')
  expect(Object.keys(workflow.on)).toEqual(['schedule', 'workflow_dispatch'])
  const schedule = (workflow.on as unknown as { schedule: Array<{ cron: string }> }).schedule
  // Minute, hour, day of month fixed; every month; any day of the week: once a month.
  expect(schedule).toEqual([{ cron: expect.stringMatching(/^\d{1,2} \d{1,2} \d{1,2} \* \*$/) }])
  expect(workflow.on.workflow_dispatch?.inputs?.['rotate-now']).toMatchObject({ type: 'boolean', default: false })
  const step = ourStep(workflow)
  expect(step.with?.mode).toBe('apply')
  expect(step.with?.['rotate-secret']).toBe('${{ inputs.rotate-now == true }}')
  // Below the schedule's month, so a monthly run rotates, and a re-run the same day does not.
  expect(Number(step.with?.['rotate-after-days'])).toBeGreaterThanOrEqual(20)
  expect(Number(step.with?.['rotate-after-days'])).toBeLessThan(28)
  expect(workflow.concurrency).toEqual({ group: APPLY_GROUP, 'cancel-in-progress': false })
  for (const action of ['AddUserPoolClientSecret', 'ListUserPoolClientSecrets', 'DeleteUserPoolClientSecret'])
    expect(text).toContain(action)
})

/** The inputs that say how a workflow runs, not what it configures. */
const RUN_INPUTS = ['mode', 'comment', 'reviewed-plan', 'drift-issue', 'fail-on-changes', 'rotate-secret', 'rotate-after-days']

test('the five configure the same integration: their inputs differ only in how they run (mode, comment, the review, drift and rotation inputs)', () => {
  const configuration = (file: string) =>
    Object.fromEntries(Object.entries(ourStep(load(file).workflow).with ?? {}).filter(([name]) => !RUN_INPUTS.includes(name)))
  expect(Object.keys(configuration('apply.yml'))).toContain('user-pool-id')
  for (const file of ['plan.yml', 'dispatch.yml', 'drift.yml', 'rotate.yml'])
    expect(configuration(file)).toEqual(configuration('apply.yml'))
})
