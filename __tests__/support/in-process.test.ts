// The in-process harness itself: each run's log is its own, even when runs overlap; the leak check
// can fail; invalid inputs stop before any call; stdout is given back; errors of Node's own realm
// count as errors (as in the bundle); and this jest process reaches nothing beyond loopback.
import { request } from 'node:http'
import { connect, createServer, type AddressInfo } from 'node:net'
import { lookup } from 'node:dns/promises'
import { runInThisContext } from 'node:vm'
import { checksOf, expectNoFailure, runInProcess } from './in-process.js'
import { TOKEN, World } from './world.js'

let world: World
beforeEach(async () => {
  world = await World.start()
})
afterEach(async () => {
  await world.stop()
})

test('a run returns its outcome, its own log with the masks, the outputs and the report', async () => {
  const result = await runInProcess(world)
  const outcome = expectNoFailure(result)
  const [client] = world.clients()
  expect(result.lines[0]).toBe(`::add-mask::${TOKEN}`)
  expect(result.masked).toEqual(expect.arrayContaining([TOKEN, client.ClientSecret]))
  expect(result.lines).toContainEqual(expect.stringMatching(/^✓ created Cognito app client “Cloudflare Access” \(\w+\)$/))
  expect(result.outputs).toMatchObject({ 'client-id': client.ClientId, 'identity-provider-id': world.idps()[0].id, changed: 'true' })
  expect(checksOf(outcome).map(check => check.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'pass'])
  expect(result.report).toContain('**Applied: 2 created.**')
})

test('runs that overlap keep their logs apart, and stdout is given back afterwards', async () => {
  const other = await World.start({ pool: { id: 'eu-west-1_OtherPool' } })
  const write = process.stdout.write
  try {
    const [mine, theirs] = await Promise.all([runInProcess(world), runInProcess(other)])
    expect(mine.stdout).toContain('eu-west-1_TestPool1')
    expect(mine.stdout).not.toContain('eu-west-1_OtherPool')
    expect(theirs.stdout).toContain('eu-west-1_OtherPool')
    expect(theirs.stdout).not.toContain('eu-west-1_TestPool1')
    expect(process.stdout.write).toBe(write)
  } finally {
    await other.stop()
  }
})

test('the leak check fails a run that shows a secret', async () => {
  // The pool id is in every run's log: as a "secret", it leaks.
  world.extraSecrets['pool id as a secret'] = world.pool.Id
  await expect(runInProcess(world)).rejects.toThrow(/secret leak\(s\):\n {2}- raw pool id as a secret in log, line \d+/)
})

test('invalid inputs stop before any call, each problem naming its input', async () => {
  const result = await runInProcess(world, { inputs: world.inputs({ pkce: 'sometimes', scopes: 'email' }) })
  expect(result.outcome).toBeUndefined()
  expect(result.problems.map(problem => problem.input).sort()).toEqual(['pkce', 'scopes'])
  expect(result.error).toMatch(/\bpkce: `sometimes` is not a boolean/)
  expect(result.error).toMatch(/\bscopes: must include `openid`/)
  expect([...world.cognito.calls, ...world.cloudflare.calls]).toEqual([])
})

test('a failure before there is a plan: no outcome, the error line, and the failure report', async () => {
  world.seedReadyClient()
  world.seedReadyClient()
  const result = await runInProcess(world)
  expect(result.outcome).toBeUndefined()
  expect(result.error).toMatch(/has 2 app clients named "Cloudflare Access"/)
  expect(result.report).toContain('**❌ No plan could be made, and nothing was written.**')
  expect(() => expectNoFailure(result)).toThrow(/the run failed: .*2 app clients/)
})

test('the reads that went out beside one that failed end within the run: none outlives it', async () => {
  world.cognito.latencyMs = 300
  world.cloudflare.failNext('listIdentityProviders', 'success-false')
  const result = await runInProcess(world)
  expect(result.error).toMatch(/success: false/)
  const callsAtTheEnd = world.cognito.calls.length
  expect(callsAtTheEnd).toBeGreaterThan(0)
  await new Promise(resolve => setTimeout(resolve, 600))
  expect(world.cognito.calls.length).toBe(callsAtTheEnd)
  expect(world.cognito.inFlight).toBe(0)
})

test("an error made in Node's own realm is an Error here too, as it is in the bundle", () => {
  const nodeRealmError = runInThisContext('new Error("from node")') as unknown
  expect(nodeRealmError).toBeInstanceOf(Error)
  expect(new TypeError('ours')).toBeInstanceOf(Error)
  expect({ message: 'not an error' }).not.toBeInstanceOf(Error)
  expect(nodeRealmError).not.toBeInstanceOf(TypeError)
})

describe('this jest process reaches nothing beyond loopback', () => {
  test('a remote address or name is refused', async () => {
    const remote = new Promise((resolve, reject) => request('http://1.1.1.1/', resolve).on('error', reject).end())
    await expect(remote).rejects.toMatchObject({ code: 'ERR_LOOPBACK_ONLY' })
    await expect(lookup('example.com')).rejects.toMatchObject({ code: 'ERR_LOOPBACK_ONLY' })
  })

  /** Connects to `host` through a lookup of its own that answers `address`, as undici does for a proxy. */
  function connectThrough(host: string, address: string, port: number): Promise<void> {
    const lookup = (_name: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) =>
      options.all ? callback(null, [{ address, family: 4 }]) : callback(null, address, 4)
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, lookup: lookup as never }, () => {
        socket.destroy()
        resolve()
      }).on('error', reject)
    })
  }

  test("a name whose caller's own lookup answers loopback connects; one answering another address is refused", async () => {
    const server = createServer(socket => socket.destroy())
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    try {
      await expect(connectThrough('a.example.com', '127.0.0.1', port)).resolves.toBeUndefined()
      await expect(connectThrough('a.example.com', '1.1.1.1', 80)).rejects.toMatchObject({ code: 'ERR_LOOPBACK_ONLY' })
    } finally {
      await new Promise(resolve => server.close(resolve))
    }
  })
})
