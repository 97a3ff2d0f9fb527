// `npm run bench`: how long a run of the bundled action takes, and how many API calls it makes,
// against the local fakes with a simulated network latency per request (default 40 ms, like a
// runner far from the API's region). Speed is measured here, never in timed tests.
//   npm run bench -- --runs 5 --latency 40
import { performance } from 'node:perf_hooks'
import { World } from '../__tests__/support/world.js'

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`)
  return index > 0 ? Number(process.argv[index + 1]) : fallback
}

const runs = option('runs', 5)
const latencyMs = option('latency', 40)

interface Sample {
  ms: number
  calls: number
}

function summarize(name: string, samples: Sample[]): string {
  const times = samples.map(sample => sample.ms).sort((a, b) => a - b)
  const median = times[Math.floor(times.length / 2)]
  const calls = samples[0].calls
  return `${name.padEnd(34)} median ${median.toFixed(0).padStart(5)} ms   min ${times[0].toFixed(0).padStart(5)} ms   max ${times[times.length - 1].toFixed(0).padStart(5)} ms   ${calls} API calls`
}

async function measure(world: World, run: () => Promise<unknown>): Promise<Sample> {
  const before = world.cognito.calls.length + world.cloudflare.calls.length + world.github.calls.length
  const started = performance.now()
  await run()
  const ms = performance.now() - started
  return { ms, calls: world.cognito.calls.length + world.cloudflare.calls.length + world.github.calls.length - before }
}

async function scenario(name: string, prepare: (world: World) => Promise<void>, run: (world: World) => Promise<unknown>): Promise<string> {
  const samples: Sample[] = []
  for (let i = 0; i < runs; i++) {
    const world = await World.start()
    try {
      await prepare(world)
      for (const fake of [world.cognito, world.cloudflare, world.github]) fake.latencyMs = latencyMs
      samples.push(await measure(world, () => run(world)))
    } finally {
      await world.stop()
    }
  }
  return summarize(name, samples)
}

const seedOthers = async (world: World): Promise<void> => {
  for (let i = 0; i < 150; i++) world.cognito.addClient(world.pool.Id, { ClientName: `app ${i}` })
}

console.log(`Benchmark: ${runs} runs per scenario, ${latencyMs} ms latency per request (Node ${process.version})`)
console.log(
  await scenario(
    'apply, fresh pool',
    async () => {},
    world => world.run()
  )
)
console.log(
  await scenario(
    'apply, converged (no change)',
    async world => void (await world.run()),
    world => world.run()
  )
)
console.log(
  await scenario(
    'plan on a pull request, converged',
    async world => void (await world.run()),
    world => world.run({ event: world.pullRequestEvent() })
  )
)
console.log(await scenario('apply, fresh, 150 other clients', seedOthers, world => world.run()))
