// Faults, end to end: the runner's side of a fault, through the bundle. A fault that outlasts
// every retry ends the step with exit code 1 and one `::error::` line that is a sentence, not a
// stack trace; after a partial apply the outputs name what was made and the summary says what was
// done; a failure before there is a plan says so in the summary; a fault that is ridden out leaves
// exit code 0 and its retry in the log. The whole fault matrix (every call, every fault, re-runs
// converging to a clean run's state) runs in process: __tests__/integration/faults.test.ts.
import type { RunResult } from '../support/run-action.js'
import { World, expectSuccess } from '../support/world.js'

let world: World
beforeEach(async () => {
  world = await World.start()
})
afterEach(async () => {
  await world.stop()
})

/** Exit code 1, and one error line that is a sentence, with no stack trace anywhere in the log. */
function expectCleanFailure(result: RunResult): string {
  expect(result.exitCode).toBe(1)
  expect(result.errors).toHaveLength(1)
  const [error] = result.errors
  expect(error).not.toContain('\n')
  expect(`${result.stdout}\n${result.stderr}`).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
  return error
}

test('a fault that outlasts every retry after a partial apply: exit 1, one error line, the outputs and summary of what was done; a re-run finishes', async () => {
  world.cloudflare.failNext('createIdentityProvider', 'http500', 4)
  const failed = await world.run()
  const [client] = world.clients()
  expect(expectCleanFailure(failed)).toMatch(
    new RegExp(
      `^Cloudflare: POST accounts/…/access/identity_providers answered HTTP 500 .* Done before the failure: created Cognito app client “Cloudflare Access” \\(${client.ClientId}\\)\\. ` +
        'Not done: create Cloudflare identity provider “Amazon Cognito”\\. Re-running the workflow finishes the job without creating anything twice\\.$'
    )
  )
  expect(world.cloudflare.pendingFaults()).toEqual([])
  expect(failed.outputs).toMatchObject({ 'client-id': client.ClientId, 'identity-provider-id': '', changed: 'true' })
  expect(failed.summary).toContain(`#### Done before the failure\n\n- created Cognito app client “Cloudflare Access” (${client.ClientId})`)

  const rerun = await world.run()
  expectSuccess(rerun)
  expect(world.clients()).toHaveLength(1)
  expect(world.idps()).toHaveLength(1)
  expect(rerun.outputs).toMatchObject({ 'client-id': client.ClientId, 'identity-provider-id': world.idps()[0].id, changed: 'true' })
})

test('a failure before there is a plan: exit 1, one error line, and the summary says no plan could be made', async () => {
  world.cloudflare.failNext('listIdentityProviders', 'success-false')
  const failed = await world.run()
  expect(expectCleanFailure(failed)).toMatch(
    /^Cloudflare: GET accounts\/…\/access\/identity_providers failed \(HTTP 200, success: false\): \[10002\] Something odd$/
  )
  expect(failed.summary).toContain('**❌ No plan could be made, and nothing was written.**')
  expect(world.writeAttempts()).toEqual([])
})

test('a fault that is ridden out: exit 0, the retry in the log, the outputs of what exists', async () => {
  world.cloudflare.failNext('createIdentityProvider', 'lost-response')
  const result = await world.run()
  expectSuccess(result)
  expect(result.errors).toEqual([])
  expect(result.stdout).toMatch(/Cloudflare identity provider “Amazon Cognito” was created after all; adopting it/)
  expect(world.idps()).toHaveLength(1)
  expect(result.outputs).toMatchObject({ 'client-id': world.clients()[0].ClientId, 'identity-provider-id': world.idps()[0].id })
})
