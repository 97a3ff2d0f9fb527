// `npm run fakes -- start`: starts the local fakes of Cognito, Cloudflare and GitHub on 127.0.0.1,
// seeded as the tests seed them (a user pool with a domain, a Cloudflare account with an Access
// organization, API tokens), in the background, and appends what a workflow step needs to run the
// action against them to $GITHUB_ENV (or --github-env FILE): the endpoint overrides, fake AWS
// credentials, the Cloudflare account and token, COGNITO_ACCESS_FAKE_POOL_ID, and
// COGNITO_ACCESS_FAKES_PID. The self-test workflow runs it before `uses: ./`. The fakes stop on
// SIGTERM (`kill "$COGNITO_ACCESS_FAKES_PID"`) or after --max-minutes (default 30).
// `npm run fakes` alone runs them in the foreground and prints the same variables; Ctrl-C stops.
import { spawn } from 'node:child_process'
import { appendFileSync, openSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ACCOUNT_ID, TOKEN, World } from '../__tests__/support/world.js'

const READY_TIMEOUT_MS = 30_000

function option(name: string, fallback: string | undefined): string | undefined {
  const index = process.argv.indexOf(`--${name}`)
  return index >= 0 ? process.argv[index + 1] : fallback
}

/** The hosts of the fakes go direct even where a runner sets a proxy; `no_proxy` wins over `NO_PROXY`, so both are set. */
function noProxy(): string {
  const existing = process.env.no_proxy ?? process.env.NO_PROXY ?? ''
  return [existing, '127.0.0.1', 'localhost'].filter(Boolean).join(',')
}

function stepEnv(world: World): Record<string, string> {
  return {
    ...world.env(),
    AWS_ACCESS_KEY_ID: 'AKIDFAKESFORSELFTEST',
    AWS_SECRET_ACCESS_KEY: 'fake-secret-key-for-the-local-fakes',
    AWS_EC2_METADATA_DISABLED: 'true',
    CLOUDFLARE_ACCOUNT_ID: ACCOUNT_ID,
    CLOUDFLARE_API_TOKEN: TOKEN,
    COGNITO_ACCESS_FAKE_POOL_ID: world.pool.Id,
    COGNITO_ACCESS_FAKES_PID: String(process.pid),
    no_proxy: noProxy(),
    NO_PROXY: noProxy()
  }
}

/** Starts the fakes in this process and keeps them running; returns the variables for a step. */
async function serve(maxMinutes: number): Promise<Record<string, string>> {
  const world = await World.start()
  const stop = async (why: string) => {
    console.log(`Stopping the fakes (${why}).`)
    await world.stop()
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
  setTimeout(() => void stop(`${maxMinutes} minutes passed`), maxMinutes * 60_000)
  return stepEnv(world)
}

/** Starts `serve` as a detached process, waits until it is ready, appends its variables to `envFile`. */
async function startInBackground(envFile: string, maxMinutes: number): Promise<void> {
  const logFile = join(process.env.RUNNER_TEMP ?? tmpdir(), 'cognito-access-fakes.log')
  const log = openSync(logFile, 'a')
  const script = fileURLToPath(import.meta.url)
  const child = spawn(process.execPath, [...process.execArgv, script, 'serve', '--max-minutes', String(maxMinutes)], {
    detached: true,
    stdio: ['ignore', log, log, 'ipc']
  })
  const env = await new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the fakes were not ready within ${READY_TIMEOUT_MS} ms; see ${logFile}`)),
      READY_TIMEOUT_MS
    )
    child.once('message', message => {
      clearTimeout(timer)
      resolve(message as Record<string, string>)
    })
    child.once('exit', code => {
      clearTimeout(timer)
      reject(new Error(`the fakes exited (code ${code}) before they were ready; see ${logFile}`))
    })
  })
  child.disconnect()
  child.unref()
  appendFileSync(
    envFile,
    Object.entries(env)
      .map(([name, value]) => `${name}=${value}\n`)
      .join('')
  )
  console.log(`Fakes running (pid ${env.COGNITO_ACCESS_FAKES_PID}, log ${logFile}); variables appended to ${envFile}:`)
  for (const name of Object.keys(env)) console.log(`  ${name}`)
}

const [command] = process.argv.slice(2).filter(arg => !arg.startsWith('--'))
const maxMinutes = Number(option('max-minutes', '30'))
if (!(maxMinutes > 0)) throw new Error('--max-minutes must be a positive number')

if (command === 'start') {
  const envFile = option('github-env', process.env.GITHUB_ENV)
  if (!envFile) throw new Error('start: no $GITHUB_ENV; give --github-env FILE')
  await startInBackground(envFile, maxMinutes)
} else if (command === 'serve') {
  const env = await serve(maxMinutes)
  console.log(`Fakes ready (pid ${process.pid}).`)
  process.send?.(env)
  process.disconnect?.()
} else if (command === undefined) {
  const env = await serve(maxMinutes)
  for (const [name, value] of Object.entries(env)) console.log(`${name}=${value}`)
  console.log('Fakes running; Ctrl-C stops them.')
} else {
  throw new Error(`unknown command ${command}; use "start" or nothing`)
}
