// `npm run local`: runs the bundled action (dist/index.js, what a workflow runs) on this machine,
// against your real AWS and Cloudflare accounts. The inputs come from `.env` (see .env.example) as
// the runner's own INPUT_* variables, with action.yml's defaults for the rest; everything else in
// `.env` (AWS_PROFILE, CLOUDFLARE_API_TOKEN, HTTPS_PROXY, ...) is passed through, on top of your
// shell's environment. It plans unless `.env` says INPUT_MODE=apply. Outputs and the job summary
// go to files, which are printed at the end. As on the runner, `::add-mask::` values are masked in
// what follows, and debug lines show only with RUNNER_DEBUG=1.
//   npm run local                     # uses .env
//   npm run local -- --file prod.env
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { parseEnv } from 'node:util'
import { parse as parseYaml } from 'yaml'
import { REPO_ROOT, actionDefaults, inputVariable, parseFileCommand } from '../__tests__/support/run-action.js'

const flag = process.argv.indexOf('--file')
const envFile = resolve(REPO_ROOT, flag >= 0 ? (process.argv[flag + 1] ?? '.env') : '.env')
if (!existsSync(envFile)) {
  console.error(`No ${envFile}. Copy .env.example to .env and fill it in (the README's "Run it from your laptop" says what goes there).`)
  process.exit(1)
}
const fromFile = parseEnv(readFileSync(envFile, 'utf8')) as Record<string, string>

// Every declared input, as the runner sets them: the file's value, else action.yml's default (a
// workflow's `${{ github.token }}` is empty here: no GitHub calls are made outside a pull request).
const defaults = actionDefaults()
const declared = Object.keys((parseYaml(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')) as { inputs: object }).inputs)
const unknown = Object.keys(fromFile).filter(name => name.startsWith('INPUT_') && !declared.some(input => inputVariable(input) === name))
if (unknown.length > 0) {
  console.error(`${envFile}: action.yml declares no input for ${unknown.join(', ')}. Inputs: ${declared.map(inputVariable).join(', ')}`)
  process.exit(1)
}
const inputs: Record<string, string> = {}
for (const name of declared) inputs[inputVariable(name)] = (defaults[name] ?? '').replace(/\$\{\{\s*github\.token\s*\}\}/g, '')
inputs[inputVariable('mode')] = 'plan'
Object.assign(inputs, Object.fromEntries(Object.entries(fromFile).filter(([name]) => name.startsWith('INPUT_'))))

const temp = mkdtempSync(join(tmpdir(), 'cognito-access-local-'))
const files = { output: join(temp, 'outputs'), summary: join(temp, 'summary.md'), event: join(temp, 'event.json') }
for (const file of Object.values(files)) writeFileSync(file, file === files.event ? '{}' : '')

console.log(`Running dist/index.js with ${envFile} (mode: ${inputs[inputVariable('mode')]}).\n`)
const child = spawn(process.execPath, [join(REPO_ROOT, 'dist/index.js')], {
  cwd: REPO_ROOT,
  stdio: ['ignore', 'pipe', 'pipe'],
  env: {
    ...process.env,
    ...Object.fromEntries(Object.entries(fromFile).filter(([name]) => !name.startsWith('INPUT_'))),
    ...inputs,
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    GITHUB_EVENT_PATH: files.event,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary
  }
})
const masked: string[] = []
const showDebug = (process.env.RUNNER_DEBUG ?? fromFile.RUNNER_DEBUG) === '1'
/** What the runner would show of one line of the action's output. */
function shown(line: string): string | undefined {
  const mask = /^::add-mask::(.+)$/.exec(line)
  if (mask) {
    masked.push(mask[1])
    return '::add-mask::***'
  }
  if (line.startsWith('::debug::') && !showDebug) return undefined
  return masked.reduce((text, secret) => text.split(secret).join('***'), line)
}
for (const [stream, out] of [
  [child.stdout, process.stdout],
  [child.stderr, process.stderr]
] as const) {
  createInterface({ input: stream }).on('line', line => {
    const text = shown(line)
    if (text !== undefined) out.write(`${text}\n`)
  })
}
const exitCode = await new Promise<number>(resolvePromise => child.on('close', code => resolvePromise(code ?? 1)))

console.log('\nOutputs:')
for (const [name, value] of Object.entries(parseFileCommand(readFileSync(files.output, 'utf8')))) {
  console.log(`  ${name} = ${name === 'plan' && value.length > 200 ? `${value.slice(0, 200)}…` : value}`)
}
console.log(`Job summary (Markdown): ${files.summary}`)
process.exitCode = exitCode
