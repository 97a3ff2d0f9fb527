// A small HTTP proxy on 127.0.0.1 for the proxy tests, as a self-hosted runner's proxy would be:
// absolute-form requests (`GET http://host:port/path`, what clients send for plain-http targets)
// are forwarded with a marker header, so the fakes can tell a proxied call from a direct one;
// CONNECT opens a tunnel (what clients do for https targets). It forwards only to loopback, and
// records every request and the local port of every tunnel it opens.
// Also a TLS front for a fake (the fakes speak plain http), with a test-only certificate for
// 127.0.0.1, so that https targets, and so CONNECT, are exercised too.
import { readFileSync } from 'node:fs'
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { join } from 'node:path'
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls'
import { REPO_ROOT } from './run-action.js'

/** The header the proxy adds to every request it forwards. */
export const VIA_PROXY_HEADER = 'x-test-proxy'

export const TLS_CERT_FILE = join(REPO_ROOT, '__tests__/support/fixtures/tls/loopback.crt')
const TLS_KEY_FILE = join(REPO_ROOT, '__tests__/support/fixtures/tls/loopback.key')

export interface ProxiedRequest {
  kind: 'forward' | 'connect'
  /** host:port */
  target: string
  method: string
  /** The path of a forwarded request; empty for a tunnel. */
  path: string
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])

function loopbackTarget(host: string): boolean {
  return LOOPBACK.has(host.toLowerCase())
}

/** Tracks open sockets so that stop() can end keep-alive connections at once. */
function tracked<T extends Server | TlsServer>(server: T): { server: T; destroyAll: () => void } {
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  return { server, destroyAll: () => sockets.forEach(socket => socket.destroy()) }
}

async function listen(server: Server | TlsServer): Promise<number> {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

function close(server: Server | TlsServer, destroyAll: () => void): Promise<void> {
  destroyAll()
  return new Promise(resolve => server.close(() => resolve()))
}

export class TestProxy {
  readonly requests: ProxiedRequest[] = []
  /** Local ports of the sockets the proxy opened for tunnels: whoever receives a tunnel sees one of them. */
  readonly tunnelPorts = new Set<number>()
  private readonly upstream = new Set<Socket>()
  private readonly tracking = tracked(createServer())
  private port = 0

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  async start(): Promise<this> {
    const { server } = this.tracking
    server.on('request', (req, res) => this.forward(req, res))
    server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => this.tunnel(req, client, head))
    this.port = await listen(server)
    return this
  }

  async stop(): Promise<void> {
    this.upstream.forEach(socket => socket.destroy())
    await close(this.tracking.server, this.tracking.destroyAll)
  }

  /** Requests to one host:port. */
  to(target: string): ProxiedRequest[] {
    return this.requests.filter(request => request.target === target)
  }

  private forward(req: IncomingMessage, res: import('node:http').ServerResponse): void {
    let target: URL
    try {
      target = new URL(req.url ?? '')
    } catch {
      res.writeHead(400).end('the test proxy takes absolute-form requests only')
      return
    }
    this.requests.push({ kind: 'forward', target: target.host, method: req.method ?? '', path: target.pathname + target.search })
    if (target.protocol !== 'http:' || !loopbackTarget(target.hostname)) {
      res.writeHead(502).end(`the test proxy forwards only to http on loopback, not ${target.protocol}//${target.host}`)
      return
    }
    const headers: Record<string, string | string[] | undefined> = { ...req.headers, [VIA_PROXY_HEADER]: 'forwarded' }
    delete headers['proxy-connection']
    delete headers['proxy-authorization']
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: target.pathname + target.search, headers },
      answer => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      }
    )
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  }

  private tunnel(req: IncomingMessage, client: Socket, head: Buffer): void {
    const target = req.url ?? ''
    const [, host = '', port = ''] = /^\[?([^\]]*?)\]?:(\d+)$/.exec(target) ?? []
    this.requests.push({ kind: 'connect', target, method: 'CONNECT', path: '' })
    if (!loopbackTarget(host)) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n')
      return
    }
    const upstream = connect(Number(port), host, () => {
      this.tunnelPorts.add(upstream.localPort ?? 0)
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length > 0) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    this.upstream.add(upstream)
    upstream.on('close', () => this.upstream.delete(upstream))
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  }
}

/** TLS in front of a plain-http fake: https://127.0.0.1:<port> for the fake at `targetPort`. */
export class TlsFront {
  /** Remote ports of every connection it accepted. */
  readonly clientPorts: number[] = []
  private readonly tracking = tracked(createTlsServer({ cert: readFileSync(TLS_CERT_FILE), key: readFileSync(TLS_KEY_FILE) }))
  private port = 0

  constructor(private readonly targetPort: number) {}

  get url(): string {
    return `https://127.0.0.1:${this.port}`
  }

  get host(): string {
    return `127.0.0.1:${this.port}`
  }

  async start(): Promise<this> {
    this.tracking.server.on('secureConnection', (socket: Socket) => {
      this.clientPorts.push(socket.remotePort ?? 0)
      const upstream = connect(this.targetPort, '127.0.0.1')
      socket.pipe(upstream).pipe(socket)
      upstream.on('error', () => socket.destroy())
      socket.on('error', () => upstream.destroy())
    })
    this.port = await listen(this.tracking.server)
    return this
  }

  stop(): Promise<void> {
    return close(this.tracking.server, this.tracking.destroyAll)
  }
}
