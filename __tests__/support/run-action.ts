// Runs the bundled action (dist/index.js) in a child process the way the GitHub runner does:
// a clean environment of runner variables, `INPUT_*` variables for every declared input, the
// file commands (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, ...) as empty files, an event payload file.
// Afterwards it reads back what a workflow would see: outputs, the step summary, annotations and
// masks. A loopback-only guard is preloaded into the child so no test can reach the internet.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { performance } from 'node:perf_hooks'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parse as parseYaml } from 'yaml'
import { TEST_OWNER, TEST_REPOSITORY, TEST_SHA } from './constants.js'

const HELPERS_DIR = fileURLToPath(new URL('.', import.meta.url))
export const REPO_ROOT = resolve(HELPERS_DIR, '../..')
const ACTION_YML = join(REPO_ROOT, 'action.yml')
const DEFAULT_ENTRY = join(REPO_ROOT, 'dist/index.js')
const GUARD = join(HELPERS_DIR, 'loopback-only.mjs')
/** Node keys its entries by file and content, so bundles of other checkouts can share it. */
const COMPILE_CACHE_DIR = join(tmpdir(), 'run-action-compile-cache')

export { TEST_OWNER, TEST_REPOSITORY, TEST_SHA }
/** Port 9 (discard) on loopback is closed: a test that forgets its GitHub fake fails fast. */
const CLOSED_GITHUB_API_URL = 'http://127.0.0.1:9'
const DEFAULT_TIMEOUT_MS = 30_000

export interface RunOptions {
  /** Kebab-case input names, as in a workflow's `with:`. */
  inputs?: Record<string, string>
  /** Extra env (endpoint overrides, CLOUDFLARE_API_TOKEN, ...); `undefined` deletes a variable. */
  env?: Record<string, string | undefined>
  /** Default: a push to refs/heads/main. */
  event?: { name: string; payload: Record<string, unknown> }
  /** Sets RUNNER_DEBUG=1 and ACTIONS_STEP_DEBUG=true, as re-running with debug logging does. */
  debug?: boolean
  /** GITHUB_API_URL; default http://127.0.0.1:9, a closed port. */
  githubApiUrl?: string
  /** Substituted for action.yml's `${{ github.token }}` default. */
  githubToken?: string
  /** Kill the child after this many milliseconds (default 30000). */
  timeoutMs?: number
  /** Default: <repo>/dist/index.js. */
  entry?: string
  /**
   * Node's compile cache for the child (default on): each run loads the bundle's compiled code
   * instead of compiling 3 MB of JavaScript again, which changes nothing it does. Off for startup
   * measurements: a runner starts every job with an empty cache.
   */
  compileCache?: boolean
}

export interface WorkflowCommand {
  command: string
  properties: Record<string, string>
  message: string
}

export interface RunResult {
  exitCode: number | null
  /** `performance.now()` of this process just before the child was spawned, and when it closed (for the benchmark). */
  spawnedAt: number
  closedAt: number
  stdout: string
  stderr: string
  /** Parsed from the GITHUB_OUTPUT file. */
  outputs: Record<string, string>
  /** Contents of the GITHUB_STEP_SUMMARY file. */
  summary: string
  /** Workflow commands the runner would process: those of stdout, then those of stderr. */
  commands: WorkflowCommand[]
  errors: string[]
  warnings: string[]
  notices: string[]
  /** Values passed to `::add-mask::`. */
  masked: string[]
}

// ---------------------------------------------------------------------------------------------
// action.yml

interface InputSpec {
  default?: unknown
}

let declaredInputs: Record<string, InputSpec> | undefined

function actionInputs(): Record<string, InputSpec> {
  declaredInputs ??= (parseYaml(readFileSync(ACTION_YML, 'utf8')).inputs ?? {}) as Record<string, InputSpec>
  return declaredInputs
}

/** Defaults of action.yml's inputs, as written there (expressions such as `${{ github.token }}` unexpanded). */
export function actionDefaults(): Record<string, string> {
  const defaults: Record<string, string> = {}
  for (const [name, spec] of Object.entries(actionInputs())) {
    if (spec?.default !== undefined && spec.default !== null) defaults[name] = String(spec.default)
  }
  return defaults
}

/** The runner's name for an input's variable: upper case, spaces to `_`, hyphens kept. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

function expandDefault(value: string, githubToken: string): string {
  const expanded = value.replace(/\$\{\{\s*github\.token\s*\}\}/g, githubToken)
  // Any other expression would need a real evaluator: fail instead of passing it through verbatim.
  if (expanded.includes('${{')) throw new Error(`runAction: cannot evaluate the default ${JSON.stringify(value)}`)
  return expanded
}

/**
 * Every declared input's value as the runner gives it: the given one, else action.yml's default
 * ('' when there is none). Throws on a name action.yml does not declare (a typo in a test).
 */
export function inputValues(given: Record<string, string>, githubToken = ''): Record<string, string> {
  const declared = actionInputs()
  const unknown = Object.keys(given).filter(name => !(name in declared))
  if (unknown.length > 0) {
    throw new Error(
      `runAction: action.yml declares no input ${unknown.map(n => `"${n}"`).join(', ')}; ` + `declared: ${Object.keys(declared).join(', ')}`
    )
  }
  const defaults = actionDefaults()
  const values: Record<string, string> = {}
  for (const name of Object.keys(declared)) values[name] = given[name] ?? expandDefault(defaults[name] ?? '', githubToken)
  return values
}

/** `INPUT_*` for every declared input (the runner sets them all, '' when there is no value). */
function inputEnv(given: Record<string, string>, githubToken = ''): Record<string, string> {
  const values = Object.entries(inputValues(given, githubToken))
  return Object.fromEntries(values.map(([name, value]) => [inputVariable(name), value]))
}

// ---------------------------------------------------------------------------------------------
// The runner's environment

export function defaultPushEvent(): { name: string; payload: Record<string, unknown> } {
  return {
    name: 'push',
    payload: {
      ref: 'refs/heads/main',
      before: '0'.repeat(40),
      after: TEST_SHA,
      repository: { name: 'infra', full_name: TEST_REPOSITORY, owner: { login: TEST_OWNER } },
      sender: { login: 'octocat' }
    }
  }
}

interface Sandbox {
  root: string
  home: string
  temp: string
  workspace: string
  eventPath: string
  files: { output: string; summary: string; state: string; env: string; path: string }
}

async function createSandbox(payload: Record<string, unknown>): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), 'run-action-'))
  const [home, temp, workspace, fileDir] = ['home', 'runner-temp', 'workspace', 'file-commands'].map(d => join(root, d))
  await Promise.all([home, temp, workspace, fileDir].map(dir => mkdir(dir)))
  const files = {
    output: join(fileDir, 'output'),
    summary: join(fileDir, 'step-summary'),
    state: join(fileDir, 'state'),
    env: join(fileDir, 'env'),
    path: join(fileDir, 'path')
  }
  await Promise.all(Object.values(files).map(file => writeFile(file, '')))
  const eventPath = join(root, 'event.json')
  await writeFile(eventPath, JSON.stringify(payload, null, 2))
  return { root, home, temp, workspace, eventPath, files }
}

/** GITHUB_REF and friends, derived from the event the way GitHub does for push and pull_request. */
function refEnv(payload: Record<string, unknown>): Record<string, string> {
  const pr = payload.pull_request as { number?: number; head?: { ref?: string }; base?: { ref?: string } } | undefined
  const ref = pr?.number !== undefined ? `refs/pull/${pr.number}/merge` : typeof payload.ref === 'string' ? payload.ref : 'refs/heads/main'
  return {
    GITHUB_REF: ref,
    GITHUB_REF_NAME: ref.replace(/^refs\/(heads|tags)\//, '').replace(/^refs\/pull\//, ''),
    GITHUB_REF_TYPE: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    GITHUB_HEAD_REF: pr?.head?.ref ?? '',
    GITHUB_BASE_REF: pr?.base?.ref ?? ''
  }
}

function runnerEnv(sandbox: Sandbox, eventName: string, payload: Record<string, unknown>, apiUrl: string): Record<string, string> {
  return {
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'harness',
    RUNNER_TEMP: sandbox.temp,
    GITHUB_WORKSPACE: sandbox.workspace,
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: sandbox.eventPath,
    GITHUB_OUTPUT: sandbox.files.output,
    GITHUB_STEP_SUMMARY: sandbox.files.summary,
    GITHUB_STATE: sandbox.files.state,
    GITHUB_ENV: sandbox.files.env,
    GITHUB_PATH: sandbox.files.path,
    GITHUB_REPOSITORY: TEST_REPOSITORY,
    GITHUB_REPOSITORY_OWNER: TEST_OWNER,
    GITHUB_SHA: TEST_SHA,
    ...refEnv(payload),
    GITHUB_RUN_ID: '1234567890',
    GITHUB_RUN_NUMBER: '42',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'access',
    GITHUB_ACTION: '__acme_cognito-cloudflare-access',
    GITHUB_ACTOR: 'octocat',
    GITHUB_TRIGGERING_ACTOR: 'octocat',
    GITHUB_WORKFLOW: 'Zero Trust login',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: apiUrl,
    GITHUB_GRAPHQL_URL: `${apiUrl}/graphql`
  }
}

/** Fake AWS credentials, and no profile or instance metadata to fall back on (`dir` holds no AWS files). */
export function fakeAwsEnv(dir: string): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'AKIDTESTFAKE',
    AWS_SECRET_ACCESS_KEY: 'test-secret-key',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(dir, 'no-such-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-such-aws-credentials')
  }
}

/** Only what a process needs to start; nothing of the developer's or CI's own environment. */
function parentEnv(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const name of ['PATH', 'TMPDIR', 'TEMP', 'LANG']) {
    const value = process.env[name]
    if (value !== undefined) env[name] = value
  }
  return env
}

function buildEnv(
  sandbox: Sandbox,
  inputs: Record<string, string>,
  options: RunOptions,
  eventName: string,
  payload: Record<string, unknown>
): Record<string, string> {
  const env: Record<string, string | undefined> = {
    ...parentEnv(),
    HOME: sandbox.home,
    ...runnerEnv(sandbox, eventName, payload, options.githubApiUrl ?? CLOSED_GITHUB_API_URL),
    ...(options.debug ? { RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true' } : {}),
    ...(options.compileCache === false ? {} : { NODE_COMPILE_CACHE: COMPILE_CACHE_DIR }),
    ...fakeAwsEnv(sandbox.root),
    ...inputs,
    ...options.env
  }
  // The guard is not optional: a test's own NODE_OPTIONS is kept, after it. A file URL, because
  // NODE_OPTIONS splits on spaces and --import takes a module specifier.
  const guard = `--import=${pathToFileURL(GUARD).href}`
  env.NODE_OPTIONS = [guard, env.NODE_OPTIONS].filter(Boolean).join(' ')
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined))
}

// ---------------------------------------------------------------------------------------------
// The child process

interface ChildResult {
  exitCode: number | null
  spawnedAt: number
  closedAt: number
  stdout: string
  stderr: string
}

function tail(text: string, chars = 2000): string {
  return text.length > chars ? `…${text.slice(-chars)}` : text
}

function runChild(entry: string, env: Record<string, string>, cwd: string, timeoutMs: number): Promise<ChildResult> {
  return new Promise((resolvePromise, reject) => {
    const spawnedAt = performance.now()
    const child = spawn(process.execPath, [entry], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('error', error => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', exitCode => {
      const closedAt = performance.now()
      clearTimeout(timer)
      const result = {
        exitCode,
        spawnedAt,
        closedAt,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8')
      }
      if (!timedOut) return resolvePromise(result)
      reject(
        new Error(
          `runAction: ${entry} did not finish within ${timeoutMs} ms and was killed\n` +
            `--- stdout (tail) ---\n${tail(result.stdout)}\n--- stderr (tail) ---\n${tail(result.stderr)}`
        )
      )
    })
  })
}

// ---------------------------------------------------------------------------------------------
// Reading back what the runner would see

/**
 * The GITHUB_OUTPUT (or GITHUB_ENV / GITHUB_STATE) file, parsed as the runner does: `name=value`
 * lines, and `name<<DELIMITER` followed by value lines up to a line that is exactly DELIMITER.
 */
export function parseFileCommand(text: string): Record<string, string> {
  const lines = text.split(/\r\n|\r|\n/)
  const values: Record<string, string> = {}
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (line === '') continue
    const equals = line.indexOf('=')
    const heredoc = line.indexOf('<<')
    if (equals > 0 && (heredoc < 0 || equals < heredoc)) {
      values[line.slice(0, equals)] = line.slice(equals + 1)
      continue
    }
    if (heredoc <= 0) throw new Error(`file command line ${i + 1} is neither name=value nor name<<DELIMITER: ${line}`)
    const delimiter = line.slice(heredoc + 2)
    const end = lines.indexOf(delimiter, i + 1)
    if (end < 0) throw new Error(`file command line ${i + 1}: no closing delimiter ${delimiter}`)
    values[line.slice(0, heredoc)] = lines.slice(i + 1, end).join('\n')
    i = end
  }
  return values
}

// The commands the runner acts on; any other `::x::` line is printed as is. Names are case-insensitive.
const RUNNER_COMMANDS = new Set([
  'add-mask',
  'add-matcher',
  'add-path',
  'debug',
  'echo',
  'endgroup',
  'error',
  'group',
  'notice',
  'remove-matcher',
  'save-state',
  'set-env',
  'set-output',
  'stop-commands',
  'warning'
])

// The runner unescapes %25 last, so `%250A` stays the literal text `%0A`.
function unescapeData(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

function unescapeProperty(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%')
}

/** The older syntax's escaping (`##[name k=v;]data`). */
function unescapeLegacy(text: string): string {
  return text.replace(/%3B/g, ';').replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%5D/g, ']').replace(/%25/g, '%')
}

/** `::name key=value,...::message` after leading whitespace, parsed like the runner's ActionCommand.TryParseV2. */
function parseV2(line: string, registered: Set<string>): WorkflowCommand | undefined {
  const text = line.trimStart()
  if (!text.startsWith('::')) return undefined
  const end = text.indexOf('::', 2)
  if (end < 0) return undefined
  const info = text.slice(2, end)
  const space = info.indexOf(' ')
  const command = (space < 0 ? info : info.slice(0, space)).toLowerCase()
  if (!registered.has(command)) return undefined
  const properties: Record<string, string> = {}
  if (space >= 0) {
    for (const pair of info
      .slice(space + 1)
      .trim()
      .split(',')) {
      const equals = pair.indexOf('=')
      if (equals > 0 && equals < pair.length - 1) properties[pair.slice(0, equals)] = unescapeProperty(pair.slice(equals + 1))
    }
  }
  return { command, properties, message: unescapeData(text.slice(end + 2)) }
}

/** `##[name key=value;...]message` ANYWHERE in the line, parsed like the runner's ActionCommand.TryParse. */
function parseV1(line: string, registered: Set<string>): WorkflowCommand | undefined {
  const start = line.indexOf('##[')
  if (start < 0) return undefined
  const end = line.indexOf(']', start)
  if (end < 0) return undefined
  const info = line.slice(start + 3, end)
  const space = info.indexOf(' ')
  const command = (space < 0 ? info : info.slice(0, space)).toLowerCase()
  if (!registered.has(command)) return undefined
  const properties: Record<string, string> = {}
  if (space > 0) {
    for (const pair of info.slice(space + 1).split(';')) {
      const equals = pair.indexOf('=')
      if (equals > 0 && equals < pair.length - 1) properties[pair.slice(0, equals)] = unescapeLegacy(pair.slice(equals + 1))
    }
  }
  return { command, properties, message: unescapeLegacy(line.slice(end + 1)) }
}

/** One line, parsed as the runner does: the `::` syntax first, then the older `##[` one. */
export function parseCommandLine(line: string, registered: Set<string> = RUNNER_COMMANDS): WorkflowCommand | undefined {
  return parseV2(line, registered) ?? parseV1(line, registered)
}

export interface ProcessedLine {
  line: string
  /** The command the runner carried out on this line, if it did. */
  command?: WorkflowCommand
}

/**
 * Every line of one output stream as the runner's ActionCommandManager sees it, honouring
 * `stop-commands`: until a line names its token as a command, no command is carried out, so an
 * `::add-mask::` line then is shown as plain text and masks nothing.
 */
export function processLines(output: string): ProcessedLine[] {
  let stopToken: string | undefined
  return output.split('\n').map(raw => {
    const line = raw.replace(/\r$/, '')
    if (stopToken !== undefined) {
      const command = parseCommandLine(line, new Set([...RUNNER_COMMANDS, stopToken]))
      if (command?.command === stopToken) stopToken = undefined
      return { line: raw }
    }
    const command = parseCommandLine(line)
    if (command?.command === 'stop-commands') stopToken = command.message.toLowerCase()
    return { line: raw, command }
  })
}

/** Every command of one output stream that the runner carries out. */
export function parseCommands(output: string): WorkflowCommand[] {
  return processLines(output).flatMap(({ command }) => (command ? [command] : []))
}

async function collectResult(child: ChildResult, sandbox: Sandbox): Promise<RunResult> {
  // The runner processes commands on stderr as well as stdout (the guard reports on stderr).
  const commands = [...parseCommands(child.stdout), ...parseCommands(child.stderr)]
  const messages = (name: string) => commands.filter(c => c.command === name).map(c => c.message)
  return {
    ...child,
    outputs: parseFileCommand(await readFile(sandbox.files.output, 'utf8')),
    summary: await readFile(sandbox.files.summary, 'utf8'),
    commands,
    errors: messages('error'),
    warnings: messages('warning'),
    notices: messages('notice'),
    masked: messages('add-mask')
  }
}

// ---------------------------------------------------------------------------------------------

/** Runs the action once, as a workflow step would, and returns what the workflow would see. */
export async function runAction(options: RunOptions = {}): Promise<RunResult> {
  const entry = resolve(options.entry ?? DEFAULT_ENTRY)
  if (!existsSync(entry)) throw new Error(`runAction: ${entry} does not exist (run \`npm run bundle\`?)`)
  const inputs = inputEnv(options.inputs ?? {}, options.githubToken) // throws on a typo before any work
  const event = options.event ?? defaultPushEvent()
  const sandbox = await createSandbox(event.payload)
  try {
    const env = buildEnv(sandbox, inputs, options, event.name, event.payload)
    const child = await runChild(entry, env, sandbox.workspace, options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
    return await collectResult(child, sandbox)
  } finally {
    await rm(sandbox.root, { recursive: true, force: true })
  }
}
