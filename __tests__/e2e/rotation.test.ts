// Issue 13, the runner's side of a rotation: the bundled action, run as the runner does, masks the
// new secret the moment it exists, reports ids and never values in the log, the summary and the
// outputs, and a second run is quiet. Every other rotation case (failures at each step, a rotation
// that stopped, repairs, rotate-after-days) runs in process: __tests__/integration/rotation.test.ts.
import { World, expectSuccess, planOf } from '../support/world.js'

let world: World
beforeEach(async () => {
  world = await World.start()
})
afterEach(async () => {
  await world.stop()
})

test('a rotation masks the new secret at once, leaves exactly it, and shows ids only; the next run changes nothing', async () => {
  const client = world.seedConverged()
  const [old] = world.cognito.clientSecrets(world.pool.Id, client.ClientId)
  const result = await world.run({ inputs: world.inputs({ 'rotate-secret': 'true' }) })
  expectSuccess(result)
  const [added, ...others] = world.cognito.clientSecrets(world.pool.Id, client.ClientId)
  expect(others).toEqual([])
  expect(added.ClientSecretId).not.toBe(old.ClientSecretId)
  expect(world.idps()[0].config.client_secret).toBe(added.ClientSecretValue)
  // Masked the moment it exists: before any line that could quote it.
  const maskAt = result.stdout.indexOf(`::add-mask::${added.ClientSecretValue}`)
  expect(maskAt).toBeGreaterThanOrEqual(0)
  expect(result.stdout.indexOf(`added client secret ${added.ClientSecretId}`)).toBeGreaterThan(maskAt)
  expect(result.outputs.changed).toBe('true')
  expect(planOf(result).resources.find(resource => resource.kind === 'cognito-client-secret')).toMatchObject({ action: 'update' })
  expect(result.summary).toContain(`deleted client secret ${old.ClientSecretId.replace(/_/g, '&#95;')}`)

  const again = await world.run()
  expectSuccess(again)
  expect(again.outputs.changed).toBe('false')
})
