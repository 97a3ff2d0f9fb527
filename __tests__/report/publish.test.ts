// The report in apply mode, end to end: what was done, a run that failed half-way, and one that
// failed before there was a plan. (Plan mode and the comment: __tests__/e2e/plan.test.ts.)
import { READ_TOKEN, World, expectSuccess } from '../support/world.js'

let world: World
beforeEach(async () => {
  world = await World.start()
})
afterEach(async () => {
  await world.stop()
})

test('a successful apply reports what it did, with the ids, in the past tense', async () => {
  // `mode: apply` on a pull request: the report goes to the summary; only plan mode comments.
  const result = await world.run({ inputs: world.inputs({ mode: 'apply' }), event: world.pullRequestEvent() })
  expectSuccess(result)
  const [client] = world.clients()
  const [idp] = world.idps()
  expect(result.summary).toContain('### 🚀 Cognito → Cloudflare Access applied: “Amazon Cognito”')
  expect(result.summary).toContain('**Applied: 2 created.**')
  expect(result.summary).toContain('| | Resource | Result | Id |')
  expect(result.summary).toContain(`| ➕ | Cognito app client “Cloudflare Access” | created | <code>${client.ClientId}</code> |`)
  expect(result.summary).toContain(`| ➕ | Cloudflare identity provider “Amazon Cognito” | created | <code>${idp.id}</code> |`)
  expect(result.summary).toContain(`#### Done\n\n- created Cognito app client “Cloudflare Access” (${client.ClientId})`)
  expect(result.summary).toMatch(
    /<sub>Applied for commit \[<code>c{12}<\/code>\]\(https:\/\/github\.com\/acme\/infra\/commit\/c{40}\) by \[this run\]\(.*\) · mode: apply<\/sub>/
  )
  expect(world.github.calls).toEqual([])
})

test('an apply that fails half-way reports the cause, what was done and what was not, and fails the run', async () => {
  // A read-only Cloudflare token: Cognito is written, then Cloudflare refuses.
  const result = await world.run({ inputs: world.inputs({ 'cloudflare-api-token': READ_TOKEN }) })
  expect(result.exitCode).toBe(1)
  expect(world.clients()).toHaveLength(1)
  expect(world.idps()).toHaveLength(0)
  expect(result.summary).toContain('### ❌ Cognito → Cloudflare Access apply failed: “Amazon Cognito”')
  const [client] = world.clients()
  expect(result.summary).toMatch(
    /\*\*❌ Apply failed\.\*\* Cloudflare: POST .* \(HTTP 403\): .*Authentication error.*\n\nRe-running the workflow finishes the job; nothing is created twice\./
  )
  expect(result.summary).not.toContain('**Applied')
  expect(result.summary).toContain('| | Resource | Result | Id |')
  expect(result.summary).toContain(`| ➕ | Cognito app client “Cloudflare Access” | created | <code>${client.ClientId}</code> |`)
  // The outputs name the client that was made, so a later step can use it.
  expect(result.outputs['client-id']).toBe(client.ClientId)
  expect(result.summary).toContain('| ➕ | Cloudflare identity provider “Amazon Cognito” | not done (create) | — |')
  expect(result.summary).toContain(`#### Done before the failure\n\n- created Cognito app client “Cloudflare Access” (${client.ClientId})`)
  // Something was written, so the run changed something, though it failed.
  expect(result.outputs.changed).toBe('true')
})

test('an apply that fails before there is a plan says nothing was written', async () => {
  world.cognito.addClient(world.pool.Id, { ClientName: 'Cloudflare Access', GenerateSecret: true })
  world.cognito.addClient(world.pool.Id, { ClientName: 'Cloudflare Access', GenerateSecret: true })
  const result = await world.run()
  expect(result.exitCode).toBe(1)
  expect(world.cognito.writeAttempts()).toEqual([])
  expect(world.cloudflare.writeAttempts()).toEqual([])
  expect(result.summary).toContain('### ❌ Cognito → Cloudflare Access apply failed: “Amazon Cognito”')
  expect(result.summary).toMatch(/\*\*❌ No plan could be made, and nothing was written\.\*\* .*2 app clients named "Cloudflare Access"/)
  expect(result.outputs).toEqual({})
})
