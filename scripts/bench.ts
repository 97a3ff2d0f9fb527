// `npm run bench`: what a run of the bundled action costs, measured the way the runner runs it
// (`__tests__/support/world.ts` → `runAction`) against the local fakes, once with no added latency
// and once with 100 ms per response, several runs of each, medians reported:
// - startup: from spawning the process to the first request any fake receives;
// - wall time, from spawn to exit;
// - calls and TCP connections per service;
// - critical-path round trips: (wall at 100 ms − wall at 0 ms) / 100 ms;
// - peak memory (the child's maxRSS, reported by a preloaded module).
// Baselines in the same run: bare `node -e ''`, and the bundle with a bad input (startup only).
// The table goes to docs/performance.md between its markers. A script, not a timed test.
//   npm run bench -- [--runs 5] [--entry dist/index.js] [--no-write]
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ACCOUNT_ID, World } from '../__tests__/support/world.js'
import type { RunOptions, RunResult } from '../__tests__/helpers/run-action.js'

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)))
const DOC = join(ROOT, 'docs/performance.md')
const PEAK_MEMORY_PRELOAD = pathToFileURL(join(ROOT, 'scripts/bench-peak-memory.mjs')).href
const LATENCIES = [0, 100] as const
const START_MARKER = '<!-- bench:start -->'
const END_MARKER = '<!-- bench:end -->'

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`)
  return index > 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1] : fallback
}

const runs = Number(option('runs', '5'))
const entry = resolve(ROOT, option('entry', 'dist/index.js'))
const write = !process.argv.includes('--no-write')

// ---------------------------------------------------------------------------------------------
// One measured run

const SERVICES = ['Cognito API', 'OIDC', 'Cloudflare', 'GitHub'] as const
type Service = (typeof SERVICES)[number]
/** The Cognito fake also plays the issuer (discovery, JWKS) and the hosted UI. */
const OIDC_OPERATIONS = new Set(['GetOpenIdConfiguration', 'GetJwks', 'Authorize', 'Login', 'Error'])

interface Sample {
  startupMs?: number
  wallMs: number
  peakMb?: number
  calls: Record<Service, number>
  /** Connections per fake: the Cognito fake's count covers its API, issuer and hosted UI. */
  connections: { Cognito: number; Cloudflare: number; GitHub: number }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

async function peakMemoryMb(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '')
  return text ? Number(text) / 1024 : undefined
}

/** Runs the action once in `world` with `latencyMs` per response; what it cost. */
async function measure(world: World, latencyMs: number, options: RunOptions, expectExit = 0): Promise<Sample> {
  const fakes = [world.cognito, world.cloudflare, world.github]
  const before = fakes.map(fake => fake.calls.length)
  for (const fake of fakes) {
    fake.latencyMs = latencyMs
    fake.resetStats()
  }
  const memoryDir = await mkdtemp(join(tmpdir(), 'bench-'))
  const memoryFile = join(memoryDir, 'peak')
  let result: RunResult
  try {
    result = await world.run({
      ...options,
      env: { ...options.env, NODE_OPTIONS: `--import=${PEAK_MEMORY_PRELOAD}`, BENCH_PEAK_MEMORY_FILE: memoryFile }
    })
  } finally {
    for (const fake of fakes) fake.latencyMs = 0
  }
  const peakMb = await peakMemoryMb(memoryFile)
  await rm(memoryDir, { recursive: true, force: true })
  if (result.exitCode !== expectExit) {
    throw new Error(`bench: expected exit ${expectExit}, got ${result.exitCode}\n${result.stdout}\n${result.stderr}`)
  }
  const [cognitoCalls, cloudflareCalls, githubCalls] = fakes.map((fake, i) => fake.calls.slice(before[i]))
  const firsts = fakes.map(fake => fake.firstRequestAt).filter((at): at is number => at !== undefined)
  return {
    startupMs: firsts.length > 0 ? Math.min(...firsts) - result.spawnedAt : undefined,
    wallMs: result.closedAt - result.spawnedAt,
    peakMb,
    calls: {
      'Cognito API': cognitoCalls.filter(call => !OIDC_OPERATIONS.has(call.operation)).length,
      OIDC: cognitoCalls.filter(call => OIDC_OPERATIONS.has(call.operation)).length,
      Cloudflare: cloudflareCalls.length,
      GitHub: githubCalls.length
    },
    connections: { Cognito: world.cognito.connections, Cloudflare: world.cloudflare.connections, GitHub: world.github.connections }
  }
}

// ---------------------------------------------------------------------------------------------
// Scenarios

interface Scenario {
  name: string
  /** Brings a new world to the state every measured run starts from; returns the run's options. */
  prepare: (world: World) => Promise<RunOptions>
  /** Each run changes the state (a fresh apply): every run gets a new world. */
  freshWorldPerRun?: boolean
  /** `changed` expected of each measured run. */
  changed: boolean
}

/** Applies once (at no latency) so the measured runs find everything in place. */
async function converge(world: World, inputs = world.inputs()): Promise<RunResult> {
  const result = await world.run({ inputs })
  if (result.exitCode !== 0) throw new Error(`bench: the converging apply failed\n${result.stdout}`)
  return result
}

async function withIds(world: World): Promise<Record<string, string>> {
  const { outputs } = await converge(world)
  return world.inputs({ 'app-client-id': outputs['client-id'], 'idp-id': outputs['identity-provider-id'] })
}

const LARGE_CLIENTS = 1000
const LARGE_PROVIDERS = 500

/** 999 other app clients and 499 other identity providers, before the action adds its own. */
function seedLargePool(world: World): void {
  for (let i = 1; i < LARGE_CLIENTS; i++) world.cognito.addClient(world.pool.Id, { ClientName: `app ${i}` })
  for (let i = 1; i < LARGE_PROVIDERS; i++) {
    world.cloudflare.addIdentityProvider({ accountId: ACCOUNT_ID }, { name: `provider ${i}`, type: i % 2 ? 'oidc' : 'github', config: { client_id: `id-${i}` } })
  }
}

const SCENARIOS: Scenario[] = [
  {
    name: 'converged, by name',
    changed: false,
    prepare: async world => {
      await converge(world)
      return { inputs: world.inputs() }
    }
  },
  { name: 'converged, with ids', changed: false, prepare: async world => ({ inputs: await withIds(world) }) },
  { name: 'fresh apply', changed: true, freshWorldPerRun: true, prepare: async world => ({ inputs: world.inputs() }) },
  {
    name: 'plan on a pull request',
    changed: false,
    prepare: async world => {
      await converge(world)
      const options = { inputs: world.inputs(), event: world.pullRequestEvent() }
      await world.run(options) // the comment exists from then on, as on a pull request's later pushes
      return options
    }
  },
  {
    name: `large pool, by name (${LARGE_CLIENTS} clients, ${LARGE_PROVIDERS} IdPs)`,
    changed: false,
    prepare: async world => {
      seedLargePool(world)
      await converge(world)
      return { inputs: world.inputs() }
    }
  },
  {
    name: 'large pool, with ids',
    changed: false,
    prepare: async world => {
      seedLargePool(world)
      return { inputs: await withIds(world) }
    }
  }
]

interface Row {
  name: string
  samples: Record<number, Sample[]>
}

async function runScenario(scenario: Scenario): Promise<Row> {
  const samples: Record<number, Sample[]> = { 0: [], 100: [] }
  let world: World | undefined
  let options: RunOptions | undefined
  try {
    for (let run = 0; run < runs; run++) {
      // Alternating the latencies spreads the machine's noise evenly over both.
      for (const latencyMs of LATENCIES) {
        if (!world || scenario.freshWorldPerRun) {
          await world?.stop()
          world = await World.start()
          options = await scenario.prepare(world)
        }
        const sample = await measure(world, latencyMs, options!)
        const result = world.runs[world.runs.length - 1]
        if (result.outputs.changed !== String(scenario.changed)) {
          throw new Error(`bench: ${scenario.name} expected changed=${scenario.changed}, got ${result.outputs.changed}\n${result.stdout}`)
        }
        samples[latencyMs].push(sample)
      }
    }
  } finally {
    await world?.stop()
  }
  return { name: scenario.name, samples }
}

/** Bare Node: spawn to exit of `node -e ''` (peak memory from one more run with the preload). */
async function bareNode(): Promise<Sample[]> {
  const samples: Sample[] = []
  const zero = { 'Cognito API': 0, OIDC: 0, Cloudflare: 0, GitHub: 0 }
  for (let run = 0; run < runs * 2; run++) {
    const started = performance.now()
    await new Promise<void>((done, fail) => spawn(process.execPath, ['-e', ''], { stdio: 'ignore' }).on('close', () => done()).on('error', fail))
    samples.push({ wallMs: performance.now() - started, calls: zero, connections: { Cognito: 0, Cloudflare: 0, GitHub: 0 } })
  }
  const dir = await mkdtemp(join(tmpdir(), 'bench-'))
  const env = { ...process.env, NODE_OPTIONS: `--import=${PEAK_MEMORY_PRELOAD}`, BENCH_PEAK_MEMORY_FILE: join(dir, 'peak') }
  await new Promise<void>(done => spawn(process.execPath, ['-e', ''], { stdio: 'ignore', env }).on('close', () => done()))
  samples[0].peakMb = await peakMemoryMb(join(dir, 'peak'))
  await rm(dir, { recursive: true, force: true })
  return samples
}

/** The bundle with a bad input: it loads, reads its inputs, fails before any call. */
async function badInput(): Promise<Sample[]> {
  const world = await World.start()
  try {
    const samples: Sample[] = []
    for (let run = 0; run < runs * 2; run++) {
      samples.push(await measure(world, 0, { inputs: world.inputs({ 'user-pool-id': 'not-a-pool-id' }) }, 1))
    }
    return samples
  } finally {
    await world.stop()
  }
}

// ---------------------------------------------------------------------------------------------
// The table

const ms = (value: number | undefined): string => (value === undefined ? '–' : value.toFixed(0))

function callsCell(sample: Sample): string {
  return SERVICES.map(service => sample.calls[service]).join(' / ')
}

function connectionsCell(sample: Sample): string {
  return [sample.connections.Cognito, sample.connections.Cloudflare, sample.connections.GitHub].join(' / ')
}

function rowLine(row: Row, bareMs: number): string {
  const all = [...row.samples[0], ...row.samples[100]]
  const startups = all.map(sample => sample.startupMs).filter((v): v is number => v !== undefined)
  const startup = startups.length > 0 ? median(startups) : undefined
  const wall0 = median(row.samples[0].map(sample => sample.wallMs))
  const wall100 = median(row.samples[100].map(sample => sample.wallMs))
  const trips = ((wall100 - wall0) / 100).toFixed(2)
  const peaks = all.map(sample => sample.peakMb).filter((v): v is number => v !== undefined)
  const peak = peaks.length > 0 ? median(peaks).toFixed(0) : '–'
  const over = startup === undefined ? '–' : `+${ms(startup - bareMs)}`
  return `| ${row.name} | ${ms(startup)} | ${over} | ${ms(wall0)} | ${ms(wall100)} | ${trips} | ${callsCell(row.samples[100][0])} | ${connectionsCell(row.samples[100][0])} | ${peak} |`
}

function baselineLine(name: string, samples: Sample[], bareMs: number): string {
  const wall = median(samples.map(sample => sample.wallMs))
  const peaks = samples.map(sample => sample.peakMb).filter((v): v is number => v !== undefined)
  const over = name.startsWith('bare') ? '' : `+${ms(wall - bareMs)}`
  return `| ${name} | ${ms(wall)} (to exit) | ${over} | ${ms(wall)} | – | – | – | – | ${peaks.length > 0 ? median(peaks).toFixed(0) : '–'} |`
}

async function bundleSize(): Promise<string> {
  const dir = join(entry, '..')
  const files = (await readdir(dir)).filter(file => file.endsWith('.js') || file.endsWith('.mjs') || file.endsWith('.cjs'))
  const sizes = await Promise.all(files.map(async file => ({ file, bytes: (await stat(join(dir, file))).size })))
  const total = sizes.reduce((sum, { bytes }) => sum + bytes, 0)
  const main = sizes.find(({ file }) => join(dir, file) === entry)?.bytes ?? 0
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`
  return `${mb(main)} entry file, ${mb(total)} of JavaScript in ${sizes.length} file(s)`
}

function machine(): string {
  const cpu = cpus()
  const [load1] = loadavg()
  return `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
    `Linux ${release()}, Node ${process.version}; load average ${load1.toFixed(2)} at the start`
}

async function main(): Promise<void> {
  const started = performance.now()
  const machineNote = machine()
  console.log(`Benchmark of ${entry}: ${runs} runs per latency (${LATENCIES.join(' and ')} ms per response)\n${machineNote}`)
  const bare = await bareNode()
  const bareMs = median(bare.map(sample => sample.wallMs))
  const bad = await badInput()
  const rows: Row[] = []
  for (const scenario of SCENARIOS) {
    rows.push(await runScenario(scenario))
    console.log(`  ${scenario.name}: done`)
  }
  const size = await bundleSize()
  const seconds = ((performance.now() - started) / 1000).toFixed(0)
  const table = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machineNote}. Bundle: ${size}. ` +
      `${runs} runs per latency, medians; the whole benchmark took ${seconds} s.`,
    '',
    '| scenario | startup ms | over bare Node | wall ms, 0 ms latency | wall ms, 100 ms latency | round trips | calls: Cognito API / OIDC / Cloudflare / GitHub | connections: Cognito / Cloudflare / GitHub | peak memory MB |',
    '|---|---:|---:|---:|---:|---:|---|---|---:|',
    baselineLine("bare `node -e ''`", bare, bareMs),
    baselineLine('bundle, bad input (no call)', bad, bareMs),
    ...rows.map(row => rowLine(row, bareMs))
  ].join('\n')
  console.log(`\n${table}\n`)
  if (write) {
    const doc = await readFile(DOC, 'utf8')
    const start = doc.indexOf(START_MARKER)
    const end = doc.indexOf(END_MARKER)
    if (start < 0 || end < start) throw new Error(`bench: ${DOC} has no ${START_MARKER} … ${END_MARKER} block`)
    await writeFile(DOC, `${doc.slice(0, start + START_MARKER.length)}\n${table}\n${doc.slice(end)}`)
    console.log(`Written to ${DOC}.`)
  }
}

await main()
