// Verify, end to end: `verify: false` skips every check, and the runner shows a notice that says
// so. The checks themselves (each failure stopping apply before Cloudflare, plan mode's read-only
// checks) run in process: __tests__/integration/verify.test.ts.
import { World, expectSuccess, planOf } from '../support/world.js'

let world: World
beforeEach(async () => {
  world = await World.start()
})
afterEach(async () => {
  await world.stop()
})

test('verify: false skips every check, with a notice', async () => {
  world.pool.jwks = { keys: [] }
  world.pool.discoveryStatus = 500
  const result = await world.run({ inputs: world.inputs({ verify: 'false' }) })
  expectSuccess(result)
  expect(result.notices).toContainEqual(expect.stringMatching(/^verify: false, so the integration checks .* are skipped\.$/))
  expect(planOf(result).checks).toEqual([])
  const checked = world.cognito.calls.filter(call => ['GetOpenIdConfiguration', 'GetJwks', 'Authorize'].includes(call.operation))
  expect(checked).toEqual([])
  expect(world.idps()).toHaveLength(1)
})
