// `npm run local` (scripts/local.ts): a run from a laptop, with inputs from a .env file. Here the
// "real accounts" are the local fakes (the .env gives their endpoints), and the loopback guard is
// preloaded through NODE_OPTIONS, which the script passes on to the action.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { REPO_ROOT } from './support/run-action.js'
import { ACCOUNT_ID, TOKEN, World } from './support/world.js'

let world: World
let dir: string
beforeEach(async () => {
  world = await World.start()
  dir = mkdtempSync(join(tmpdir(), 'local-run-'))
})
afterEach(async () => {
  await world.stop()
  rmSync(dir, { recursive: true, force: true })
})

function dotenv(extra: Record<string, string> = {}): string {
  const values = {
    ...world.env(),
    AWS_ACCESS_KEY_ID: 'AKIDLOCALRUNTEST',
    AWS_SECRET_ACCESS_KEY: 'local-run-test-key',
    AWS_EC2_METADATA_DISABLED: 'true',
    CLOUDFLARE_ACCOUNT_ID: ACCOUNT_ID,
    CLOUDFLARE_API_TOKEN: TOKEN,
    'INPUT_USER-POOL-ID': world.pool.Id,
    ...extra
  }
  const file = join(dir, '.env')
  writeFileSync(
    file,
    Object.entries(values)
      .map(([name, value]) => `${name}=${value}\n`)
      .join('')
  )
  return file
}

/** Runs the script in a child process (asynchronously: the fakes answer from this process). */
function local(envFile: string): Promise<{ status: number | null; output: string }> {
  const guard = `--import=${pathToFileURL(join(REPO_ROOT, '__tests__/support/loopback-only.mjs')).href}`
  const child = spawn(process.execPath, [join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/local.ts', '--file', envFile], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: dir, NODE_OPTIONS: guard },
    timeout: 60_000
  })
  let output = ''
  child.stdout.on('data', chunk => (output += String(chunk)))
  child.stderr.on('data', chunk => (output += String(chunk)))
  return new Promise(resolve => child.on('close', status => resolve({ status, output })))
}

test('plans by default: prints the plan and the outputs, writes nothing, shows no secret', async () => {
  const { status, output } = await local(dotenv())
  expect(status).toBe(0)
  expect(output).toContain('mode: plan')
  expect(output).toMatch(/Plan: 2 to create/)
  expect(output).toMatch(/^ {2}changed = true$/m)
  expect(output).toContain('::add-mask::***')
  expect(output).not.toContain(TOKEN)
  expect(output).not.toContain('::debug::')
  expect(world.writeAttempts()).toEqual([])
})

test('INPUT_MODE=apply in the file applies, and the client secret never shows', async () => {
  const { status, output } = await local(dotenv({ INPUT_MODE: 'apply' }))
  expect(status).toBe(0)
  expect(world.idps()).toHaveLength(1)
  expect(world.clients()).toHaveLength(1)
  expect(output).toMatch(new RegExp(`^ {2}client-id = ${world.clients()[0].ClientId}$`, 'm'))
  for (const secret of Object.values(world.secrets())) expect(output).not.toContain(secret)
})

test('an INPUT_ name action.yml does not declare is an error, before anything runs', async () => {
  const { status, output } = await local(dotenv({ INPUT_USER_POOL_ID: world.pool.Id }))
  expect(status).toBe(1)
  expect(output).toContain('action.yml declares no input for INPUT_USER_POOL_ID')
  expect(world.cognito.calls).toEqual([])
})

test('no .env file: says how to make one', async () => {
  const { status, output } = await local(join(dir, 'missing.env'))
  expect(status).toBe(1)
  expect(output).toContain('Copy .env.example to .env')
})
