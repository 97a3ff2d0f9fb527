// `npm run bench`: what a run of the bundled action costs, measured the way the runner runs it
// (`__tests__/support/world.ts` → `runAction`) against the local fakes, once with no added latency
// and once with 100 ms per response, several runs of each, medians reported:
// - startup: from spawning the process to the first request any fake receives, over a bare
//   `node -e ''` spawned just before (runs without added latency);
// - wall time, from spawn to exit;
// - calls and TCP connections per service;
// - critical-path round trips: (wall at 100 ms − wall at 0 ms) / 100 ms, and the waves the requests
//   came in at 100 ms (the depth of the chain of dependent requests, whatever the machine's load);
// - peak memory (the child's maxRSS, reported by a module preloaded into the runs with latency).
// Baselines in the same run: bare `node -e ''`, and the bundle with a bad input (startup only).
// The table goes to docs/performance.md between its markers. A script, not a timed test.
//   npm run bench -- [--runs 7] [--entry dist/index.js] [--no-write] [--label name]
//   npm run bench -- --compare old/index.js,dist/index.js   (startup only, the bundles taking turns)
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ACCOUNT_ID, World } from '../__tests__/support/world.js'
import type { RunOptions, RunResult } from '../__tests__/support/run-action.js'

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)))
const DOC = join(ROOT, 'docs/performance.md')
const PEAK_MEMORY_PRELOAD = pathToFileURL(join(ROOT, 'scripts/bench-peak-memory.mjs')).href
/** What runAction preloads into every run: its cost is the harness's, not the action's. */
const LOOPBACK_GUARD = pathToFileURL(join(ROOT, '__tests__/support/loopback-only.mjs')).href
const LATENCIES = [0, 100] as const
const START_MARKER = '<!-- bench:start -->'
const END_MARKER = '<!-- bench:end -->'

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`)
  return index > 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1] : fallback
}

const runs = Number(option('runs', '7'))
const entry = resolve(ROOT, option('entry', 'dist/index.js'))
const write = !process.argv.includes('--no-write')
/** Names this run in its one-line summary (for the doc's before/after table). */
const label = option('label', 'this run')
/** `--compare a.js,b.js`: startup only, the bundles taking turns (see compareStartup). */
const compare = option('compare', '')

// ---------------------------------------------------------------------------------------------
// One measured run

const SERVICES = ['Cognito API', 'OIDC', 'Cloudflare', 'GitHub'] as const
type Service = (typeof SERVICES)[number]
/** The Cognito fake also plays the issuer (discovery, JWKS) and the hosted UI. */
const OIDC_OPERATIONS = new Set(['GetOpenIdConfiguration', 'GetJwks', 'Authorize', 'Login', 'Error'])

interface Sample {
  startupMs?: number
  wallMs: number
  /** Bare `node -e ''`, spawned just before: startup is compared with it pair by pair, so that the machine's drift cancels out. */
  bareMs: number
  /** The memory probe was preloaded: its own load time is in this run, so its startup does not count. */
  probed: boolean
  peakMb?: number
  calls: Record<Service, number>
  /** Connections per fake: the Cognito fake's count covers its API, issuer and hosted UI. */
  connections: { Cognito: number; Cloudflare: number; GitHub: number }
  /** With latency: how many waves the requests came in (see wavesOf). */
  waves?: number
}

/**
 * The requests' arrival times split into waves at every gap of at least half the latency: a
 * request that had to wait for an answer comes a latency after the one it waited for. The count
 * is the depth of the run's chain of dependent requests, and unlike the wall-time difference it
 * does not shrink when a busy machine stretches the run's own work.
 */
function wavesOf(arrivals: number[], latencyMs: number): number {
  const sorted = [...arrivals].sort((a, b) => a - b)
  return sorted.filter((at, i) => i === 0 || at - sorted[i - 1] >= latencyMs / 2).length
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

/** Spawn to exit of `node -e ''`. */
async function bareNodeMs(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const started = performance.now()
  await new Promise<void>((done, fail) =>
    spawn(process.execPath, ['-e', ''], { stdio: 'ignore', env })
      .on('close', () => done())
      .on('error', fail)
  )
  return performance.now() - started
}

/**
 * Runs the action once in `world` with `latencyMs` per response; what it cost. The memory probe
 * goes into the runs with latency (by default), whose startup is not counted.
 */
async function measure(world: World, latencyMs: number, options: RunOptions, expectExit = 0, probed = latencyMs > 0): Promise<Sample> {
  const bareMs = await bareNodeMs()
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
      entry: options.entry ?? entry,
      // A runner compiles the bundle afresh in every job.
      compileCache: false,
      env: probed ? { ...options.env, NODE_OPTIONS: `--import=${PEAK_MEMORY_PRELOAD}`, BENCH_PEAK_MEMORY_FILE: memoryFile } : options.env
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
  const arrivals = [...cognitoCalls, ...cloudflareCalls, ...githubCalls].map(call => call.receivedAt)
  return {
    startupMs: firsts.length > 0 ? Math.min(...firsts) - result.spawnedAt : undefined,
    wallMs: result.closedAt - result.spawnedAt,
    bareMs,
    probed,
    peakMb,
    calls: {
      'Cognito API': cognitoCalls.filter(call => !OIDC_OPERATIONS.has(call.operation)).length,
      OIDC: cognitoCalls.filter(call => OIDC_OPERATIONS.has(call.operation)).length,
      Cloudflare: cloudflareCalls.length,
      GitHub: githubCalls.length
    },
    connections: { Cognito: world.cognito.connections, Cloudflare: world.cloudflare.connections, GitHub: world.github.connections },
    waves: latencyMs > 0 ? wavesOf(arrivals, latencyMs) : undefined
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
  const result = await world.run({ inputs, entry })
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
    world.cloudflare.addIdentityProvider(
      { accountId: ACCOUNT_ID },
      { name: `provider ${i}`, type: i % 2 ? 'oidc' : 'github', config: { client_id: `id-${i}` } }
    )
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
      await world.run({ ...options, entry }) // the comment exists from then on, as on a pull request's later pushes
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

/** `node -e ''` with the loopback guard every run has, each run paired with a bare one; its peak memory from one more run. */
async function harnessNode(): Promise<Sample[]> {
  const samples: Sample[] = []
  const guarded = { ...process.env, NODE_OPTIONS: `--import=${LOOPBACK_GUARD}` }
  for (let run = 0; run < runs * 2; run++) {
    const bareMs = await bareNodeMs()
    const wallMs = await bareNodeMs(guarded)
    samples.push({
      wallMs,
      bareMs,
      probed: false,
      calls: { 'Cognito API': 0, OIDC: 0, Cloudflare: 0, GitHub: 0 },
      connections: { Cognito: 0, Cloudflare: 0, GitHub: 0 }
    })
  }
  const dir = await mkdtemp(join(tmpdir(), 'bench-'))
  await bareNodeMs({
    ...guarded,
    NODE_OPTIONS: `${guarded.NODE_OPTIONS} --import=${PEAK_MEMORY_PRELOAD}`,
    BENCH_PEAK_MEMORY_FILE: join(dir, 'peak')
  })
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
      // Every other run probes memory; the others' wall times count.
      samples.push(await measure(world, 0, { inputs: world.inputs({ 'user-pool-id': 'not-a-pool-id' }) }, 1, run % 2 === 1))
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

interface Medians {
  startup?: number
  /** Startup minus the bare Node run paired with it. */
  overBare?: number
  wall0: number
  wall100: number
  trips: number
  waves: number
  peak?: number
}

function medians(row: Row): Medians {
  const all = [...row.samples[0], ...row.samples[100]]
  const timed = all.filter(sample => sample.startupMs !== undefined && !sample.probed)
  const startups = timed.map(sample => sample.startupMs!)
  const overBare = timed.map(sample => sample.startupMs! - sample.bareMs)
  const peaks = all.map(sample => sample.peakMb).filter((v): v is number => v !== undefined)
  const wall0 = median(row.samples[0].map(sample => sample.wallMs))
  const wall100 = median(row.samples[100].map(sample => sample.wallMs))
  return {
    startup: startups.length > 0 ? median(startups) : undefined,
    overBare: overBare.length > 0 ? median(overBare) : undefined,
    wall0,
    wall100,
    trips: (wall100 - wall0) / 100,
    waves: median(row.samples[100].map(sample => sample.waves ?? 0)),
    peak: peaks.length > 0 ? median(peaks) : undefined
  }
}

function rowLine(row: Row): string {
  const { startup, overBare, wall0, wall100, trips, waves, peak } = medians(row)
  const over = overBare === undefined ? '–' : `+${ms(overBare)}`
  return `| ${row.name} | ${ms(startup)} | ${over} | ${ms(wall0)} | ${ms(wall100)} | ${trips.toFixed(2)} | ${waves} | ${callsCell(row.samples[100][0])} | ${connectionsCell(row.samples[100][0])} | ${peak?.toFixed(0) ?? '–'} |`
}

/** One row for the doc's before/after table: bundle, startup, round trips per scenario, peak memory. */
/** The median of each run's wall time over its paired bare Node run. */
function wallOverBare(samples: Sample[]): number {
  return median(samples.map(sample => sample.wallMs - sample.bareMs))
}

/** Startup over the paired bare Node run, over every run of every scenario: startup does not depend on the scenario. */
function startupOverBare(rows: Row[]): { median: number; lowest: number; runs: number } {
  const all = rows
    .flatMap(row => [...row.samples[0], ...row.samples[100]])
    .filter(sample => sample.startupMs !== undefined && !sample.probed)
  const over = all.map(sample => sample.startupMs! - sample.bareMs)
  return { median: median(over), lowest: Math.min(...over), runs: all.length }
}

function summaryLine(rows: Row[], badOverBare: number, size: string): string {
  const [byName, withIds, fresh, planPr, large, largeIds] = rows.map(medians)
  const startup = `+${ms(startupOverBare(rows).median)}`
  const trips = [byName, withIds, fresh, planPr].map(row => `${row.trips.toFixed(2)} (${row.waves})`).join(' / ')
  return `| ${label} | ${size.replace(/ entry file.*/, '')} | +${ms(badOverBare)} | ${startup} | ${trips} | ${ms(large.wall100)} / ${ms(largeIds.wall100)} | ${byName.peak?.toFixed(0) ?? '–'} |`
}

function baselineLine(name: string, samples: Sample[], isBare = false): string {
  const timed = samples.filter(sample => !sample.probed)
  const wall = median(timed.map(sample => sample.wallMs))
  const peaks = samples.map(sample => sample.peakMb).filter((v): v is number => v !== undefined)
  const over = isBare ? '' : `+${ms(wallOverBare(timed))}`
  return `| ${name} | ${ms(wall)} (to exit) | ${over} | ${ms(wall)} | – | – | – | – | – | ${peaks.length > 0 ? median(peaks).toFixed(0) : '–'} |`
}

/** Every bare Node run paired with another, as samples of their own. */
function bareSamples(harness: Sample[], bad: Sample[], rows: Row[]): Sample[] {
  const all = [...harness, ...bad, ...rows.flatMap(row => [...row.samples[0], ...row.samples[100]])]
  return all.map(sample => ({ ...sample, wallMs: sample.bareMs, peakMb: undefined, probed: false }))
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
  return (
    `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
    `Linux ${release()}, Node ${process.version}; load average ${load1.toFixed(2)} at the start`
  )
}

/**
 * Startup only, of several bundles taking turns in one converged world, so that the machine's
 * drift falls on all of them alike: for before/after comparisons on a busy machine.
 */
async function compareStartup(entries: string[]): Promise<void> {
  const world = await World.start()
  try {
    await converge(world)
    const over = new Map<string, number[]>(entries.map(file => [file, []]))
    for (let run = 0; run < runs * 3; run++) {
      for (const file of entries) {
        const sample = await measure(world, 0, { inputs: world.inputs(), entry: file })
        over.get(file)!.push(sample.startupMs! - sample.bareMs)
      }
    }
    for (const [file, values] of over) {
      console.log(
        `${file}: startup over bare Node, median +${ms(median(values))} ms, lowest +${ms(Math.min(...values))} ms (${values.length} runs)`
      )
    }
  } finally {
    await world.stop()
  }
}

async function main(): Promise<void> {
  if (compare) return compareStartup(compare.split(',').map(file => resolve(file)))
  const started = performance.now()
  const machineNote = machine()
  console.log(`Benchmark of ${entry}: ${runs} runs per latency (${LATENCIES.join(' and ')} ms per response)\n${machineNote}`)
  const harness = await harnessNode()
  const bad = await badInput()
  const rows: Row[] = []
  for (const scenario of SCENARIOS) {
    rows.push(await runScenario(scenario))
    console.log(`  ${scenario.name}: done`)
  }
  const size = await bundleSize()
  const seconds = ((performance.now() - started) / 1000).toFixed(0)
  const startup = startupOverBare(rows)
  const table = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machineNote}. Bundle: ${size}. ` +
      `${runs} runs per latency, medians; the whole benchmark took ${seconds} s. ` +
      `**Startup over bare Node, all ${startup.runs} runs: median +${ms(startup.median)} ms** (lowest +${ms(startup.lowest)} ms).`,
    '',
    '| scenario | startup ms | over bare Node | wall ms, 0 ms latency | wall ms, 100 ms latency | round trips | waves | calls: Cognito API / OIDC / Cloudflare / GitHub | connections: Cognito / Cloudflare / GitHub | peak memory MB |',
    '|---|---:|---:|---:|---:|---:|---:|---|---|---:|',
    baselineLine("bare `node -e ''` (one before every other run)", bareSamples(harness, bad, rows), true),
    baselineLine("`node -e ''` with the harness's loopback guard, as every run has", harness),
    baselineLine('bundle, bad input (no call)', bad),
    ...rows.map(rowLine)
  ].join('\n')
  console.log(`\n${table}\n`)
  console.log(
    'Summary (label | bundle | bad input over bare | startup over bare | round trips (waves): by name / ids / fresh / plan PR | large pool wall at 100 ms: by name / ids | peak MB):'
  )
  console.log(summaryLine(rows, wallOverBare(bad.filter(sample => !sample.probed)), size))
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
