// The common core of the local fakes (Cognito, Cloudflare, GitHub): an HTTP server on an
// ephemeral 127.0.0.1 port, a log of every call, and fault injection per operation.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { performance } from 'node:perf_hooks'

/**
 * Faults a test can inject into the next call(s) of one operation.
 * - `http500`: a server error, nothing done.
 * - `throttle`: the service's throttling answer (Cognito TooManyRequestsException, HTTP 429 elsewhere).
 * - `reset`: the connection is dropped before anything is done.
 * - `timeout`: no answer at all (the socket stays open until the client gives up).
 * - `trickle`: HTTP 200 headers at once, then one byte of body every `trickleIntervalMs`, never ending.
 * - `lost-response`: the operation IS carried out, then the connection is dropped unanswered.
 * Fakes may add service-specific faults (for example Cognito's `concurrent-modification`).
 */
export type Fault = 'http500' | 'throttle' | 'reset' | 'timeout' | 'trickle' | 'lost-response' | (string & {})

/** An answer a test makes up, sent as is instead of the operation's (hostile pages, endless paging). */
export interface RawAnswer {
  status: number
  headers?: Record<string, string>
  body: string
}

export interface Call {
  /** The service's operation name, e.g. `CreateUserPoolClient` or `createIdentityProvider`. */
  operation: string
  method: string
  path: string
  /** Parsed JSON body, when there was one. */
  body?: unknown
  headers: IncomingMessage['headers']
  /** Whether the operation changes state (POST/PUT/PATCH/DELETE or a Cognito Create/Update/...). */
  write: boolean
  /** The fault injected into this call, if any. */
  fault?: Fault
  /** Status code answered, or undefined when the connection was dropped or held. */
  status?: number
  /** `performance.now()` when the request arrived, before any added latency. */
  receivedAt: number
}

export interface Routed {
  operation: string
  write: boolean
  /** Carries out the operation and answers. */
  handle: () => Promise<void> | void
}

export abstract class HttpFake {
  readonly calls: Call[] = []
  /** Added before every answer, to make a benchmark's network realistic. */
  latencyMs = 0
  /** Between the bytes of a `trickle` fault's body. */
  trickleIntervalMs = 500
  /** `performance.now()` when the first request since start (or resetStats) arrived: the benchmark's end of startup. */
  firstRequestAt?: number
  /** TCP connections accepted since start (or resetStats): a client that reuses its connections opens few. */
  connections = 0
  /** Requests received and not yet answered (or dropped): whether a client still has calls out. */
  inFlight = 0
  private server?: Server
  private readonly faults = new Map<string, Fault[]>()
  private readonly answers = new Map<string, Array<(call: Call) => RawAnswer>>()
  private readonly arrivals = new Map<string, Array<(call: Call) => void>>()
  private readonly sockets = new Set<Socket>()

  get url(): string {
    const address = this.server?.address() as AddressInfo | null
    if (!address) throw new Error(`${this.constructor.name} is not started`)
    return `http://127.0.0.1:${address.port}`
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.inFlight++
      res.on('close', () => this.inFlight--)
      void this.dispatch(req, res).catch(error => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' })
          res.end(`fake crashed: ${String(error?.stack ?? error)}`)
        }
      })
    })
    this.server.on('connection', socket => {
      this.connections++
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', resolve))
    return this
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>(resolve => (this.server ? this.server.close(() => resolve()) : resolve()))
    this.server = undefined
  }

  /** Forgets the first request's time and the connection count (the call log stays). */
  resetStats(): void {
    this.firstRequestAt = undefined
    this.connections = 0
  }

  /** The next `times` calls of `operation` get `fault` instead of (or, for lost-response, after) the real answer. */
  failNext(operation: string, fault: Fault, times = 1): void {
    const queue = this.faults.get(operation) ?? []
    for (let i = 0; i < times; i++) queue.push(fault)
    this.faults.set(operation, queue)
  }

  /**
   * The next `times` calls of `operation` get `answer` (or what it makes of the call: it sees the
   * request's headers and body) instead of the real answer; nothing is carried out.
   */
  answerNext(operation: string, answer: RawAnswer | ((call: Call) => RawAnswer), times = 1): void {
    const queue = this.answers.get(operation) ?? []
    for (let i = 0; i < times; i++) queue.push(typeof answer === 'function' ? answer : () => answer)
    this.answers.set(operation, queue)
  }

  /**
   * Runs `change` when the next call of `operation` arrives, before it is answered (or faulted):
   * how another writer's change lands between two requests of the client under test.
   */
  beforeNext(operation: string, change: (call: Call) => void): void {
    const queue = this.arrivals.get(operation) ?? []
    queue.push(change)
    this.arrivals.set(operation, queue)
  }

  /** Faults injected but not yet consumed (a test can assert that its fault was really hit). */
  pendingFaults(): Array<{ operation: string; fault: Fault }> {
    return [...this.faults].flatMap(([operation, faults]) => faults.map(fault => ({ operation, fault })))
  }

  writes(): Call[] {
    return this.calls.filter(call => call.write && call.status !== undefined && call.status < 400)
  }

  /** Every call that asked for a write, whatever its answer. */
  writeAttempts(): Call[] {
    return this.calls.filter(call => call.write)
  }

  /** Route a request to an operation; return undefined for 404. `body` is parsed JSON or undefined. */
  protected abstract route(req: IncomingMessage, res: ServerResponse, url: URL, body: unknown): Routed | undefined

  /** The service's own answer to an injected `http500` or `throttle` fault. */
  protected abstract answerFault(res: ServerResponse, fault: Fault, call: Call): boolean

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = performance.now()
    this.firstRequestAt ??= receivedAt
    const raw = await readBody(req)
    let body: unknown
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw)
      } catch {
        body = raw
      }
    }
    if (this.latencyMs > 0) await new Promise(resolve => setTimeout(resolve, this.latencyMs))
    const url = new URL(req.url ?? '/', this.url)
    const routed = this.route(req, res, url, body)
    if (!routed) {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end(`no route for ${req.method} ${url.pathname}`)
      return
    }
    const call: Call = {
      operation: routed.operation,
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      body,
      headers: req.headers,
      write: routed.write,
      receivedAt
    }
    this.calls.push(call)
    res.on('finish', () => (call.status = res.statusCode))
    this.arrivals.get(routed.operation)?.shift()?.(call)

    const made = this.answers.get(routed.operation)?.shift()
    if (made) {
      const { status, headers, body } = made(call)
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers })
      res.end(body)
      return
    }
    const fault = this.faults.get(routed.operation)?.shift()
    if (fault) call.fault = fault
    switch (fault) {
      case undefined:
        await routed.handle()
        return
      case 'reset':
        req.socket.destroy()
        return
      case 'timeout':
        // Hold the request unanswered; the client's timeout must fire. stop() frees the socket.
        return
      case 'trickle':
        this.trickle(res)
        return
      case 'lost-response': {
        // Carry the operation out, but swallow the answer and drop the connection.
        const socket = req.socket
        res.writeHead = ((status: number) => {
          call.status = status
          return res
        }) as unknown as typeof res.writeHead
        res.setHeader = (() => res) as unknown as typeof res.setHeader
        res.write = (() => true) as unknown as typeof res.write
        res.end = (() => {
          socket.destroy()
          return res
        }) as unknown as typeof res.end
        await routed.handle()
        socket.destroy()
        return
      }
      default:
        if (!this.answerFault(res, fault, call)) {
          throw new Error(`${this.constructor.name} does not know fault ${fault}`)
        }
    }
  }

  /** A 200 whose body never ends: a byte at a time, until the client hangs up (or stop()). */
  private trickle(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
    res.write('[')
    const timer = setInterval(() => res.write(' '), this.trickleIntervalMs)
    res.on('close', () => clearInterval(timer))
  }
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', chunk => chunks.push(chunk as Buffer))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(value)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers
  })
  res.end(text)
}

// Small helpers shared by the REST fakes (Cloudflare, GitHub). Additive: the core above does not use them.

/** What a registered API token may do in a REST fake. */
export type TokenPermission = 'read' | 'write'

/** Whether an HTTP method asks for a change of state. */
export function isWriteMethod(method: string | undefined): boolean {
  return ['POST', 'PUT', 'PATCH', 'DELETE'].includes((method ?? 'GET').toUpperCase())
}

/**
 * The credential of an Authorization header whose scheme is one of `schemes` (case-insensitive),
 * e.g. `Bearer abc` → `abc`; undefined when the header is missing or malformed.
 */
export function credentialOf(header: string | undefined, schemes: string[]): string | undefined {
  const match = /^(\S+) +(\S+)$/.exec(header?.trim() ?? '')
  if (!match) return undefined
  const [, scheme, credential] = match
  return schemes.some(known => known.toLowerCase() === scheme.toLowerCase()) ? credential : undefined
}

/** An integer query parameter: undefined when absent, NaN when it is not a whole number. */
export function intParam(url: URL, name: string): number | undefined {
  const text = url.searchParams.get(name)
  if (text === null) return undefined
  return /^-?\d+$/.test(text.trim()) ? Number(text) : Number.NaN
}

/** Page `page` (1-based) of `items`, and the number of pages. */
export function pageOf<T>(items: T[], page: number, perPage: number): { items: T[]; totalPages: number } {
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    totalPages: Math.ceil(items.length / perPage)
  }
}
