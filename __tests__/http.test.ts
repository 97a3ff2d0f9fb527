// HttpClient: the pure parts of the retry policy (retry-after, backoff, what may be retried), and
// the client against a scripted local server: GET and PUT retried on what says "try again", POST
// never, retry-after honoured, the overall budget respected (the caller gets the last answer,
// not an abort), and one log line per retry and one debug line per request, naming no secret.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import fc from 'fast-check'
import { DeadlineError, startRunDeadline, stopRunDeadline } from '../src/deadline.js'
import {
  HttpClient,
  MAX_BACKOFF_MS,
  MAX_RESPONSE_BYTES,
  RETRY_STATUS,
  backoffMs,
  isRetryableHttpError,
  retryAfterMs,
  retryDelayMs,
  type HttpLimits
} from '../src/http.js'

describe('retryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')

  test.each([
    ['1', 1000],
    ['0', 0],
    [' 2 ', 2000],
    ['1.5', 1500],
    [['3', '7'], 3000],
    ['Thu, 01 Jan 2026 00:00:05 GMT', 5000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0]
  ])('%j asks for %d ms', (header, expected) => {
    expect(retryAfterMs(header as string | string[], now)).toBe(expected)
  })

  test.each([undefined, '', '   ', 'soon', '-1', '1e3', 'NaN', []])('%j asks for nothing', header => {
    expect(retryAfterMs(header as string | undefined, now)).toBeUndefined()
  })

  test('any whole number of seconds is that many thousand milliseconds', () => {
    fc.assert(fc.property(fc.nat(100_000), seconds => retryAfterMs(String(seconds), now) === seconds * 1000))
  })
})

describe('backoffMs', () => {
  test('doubles per retry, between half and all of base·2^(n-1), never above the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, base, random) => {
          const ceiling = Math.min(base * 2 ** (retry - 1), MAX_BACKOFF_MS)
          const delay = backoffMs(retry, base, () => random)
          return delay >= Math.floor(ceiling / 2) && delay <= ceiling && delay <= MAX_BACKOFF_MS
        }
      )
    )
  })

  test('the bounds themselves', () => {
    expect(backoffMs(1, 100, () => 0)).toBe(50)
    expect(backoffMs(1, 100, () => 0.999999)).toBe(100)
    expect(backoffMs(4, 100, () => 0.999999)).toBe(800)
    expect(backoffMs(30, 500, () => 0.999999)).toBe(MAX_BACKOFF_MS)
  })
})

describe('isRetryableHttpError and retryDelayMs', () => {
  test.each(RETRY_STATUS)('GET and PUT answered %d are retried; POST is not', status => {
    expect(isRetryableHttpError('GET', { statusCode: status, code: 'UND_ERR_REQ_RETRY' })).toBe(true)
    expect(isRetryableHttpError('PUT', { statusCode: status, code: 'UND_ERR_REQ_RETRY' })).toBe(true)
    expect(isRetryableHttpError('POST', { statusCode: status, code: 'UND_ERR_REQ_RETRY' })).toBe(false)
  })

  test.each([400, 401, 403, 404, 302])('an answer %d is final', status => {
    expect(isRetryableHttpError('GET', { statusCode: status, code: 'UND_ERR_REQ_RETRY' })).toBe(false)
  })

  test.each(['ECONNRESET', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ECONNREFUSED'])(
    'a dropped or timed-out connection (%s) is retried',
    code => {
      expect(isRetryableHttpError('GET', { code })).toBe(true)
      expect(isRetryableHttpError('POST', { code })).toBe(false)
    }
  )

  test('an unknown failure is not', () => {
    expect(isRetryableHttpError('GET', { code: 'UND_ERR_ABORTED' })).toBe(false)
    expect(isRetryableHttpError('GET', {})).toBe(false)
  })

  test('the server’s retry-after wins over the backoff, up to the cap', () => {
    const error = (retryAfter?: string) => Object.assign(new Error('x'), { statusCode: 429, headers: { 'retry-after': retryAfter } })
    expect(retryDelayMs(error('2'), 1, 50)).toBe(2000)
    expect(retryDelayMs(error('3600'), 1, 50)).toBe(MAX_BACKOFF_MS)
    expect(retryDelayMs(error(), 1, 50)).toBeLessThanOrEqual(50)
  })
})

// --- against a local server ----------------------------------------------------------------

type Step = (req: IncomingMessage, res: ServerResponse) => void
const answer =
  (status: number, body = '{}', headers: Record<string, string> = {}): Step =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers })
    res.end(body)
  }
const reset: Step = req => req.socket.destroy()
const hang: Step = () => undefined

/** A server that answers each request with the next step of its script (the last step repeats). */
class Scripted {
  readonly seen: Array<{ method?: string; url?: string; body: string; at: number }> = []
  private server?: Server
  constructor(private readonly steps: Step[]) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = ''
      req.on('data', chunk => (body += chunk))
      req.on('end', () => {
        this.seen.push({ method: req.method, url: req.url, body, at: Date.now() })
        this.steps[Math.min(this.seen.length - 1, this.steps.length - 1)](req, res)
      })
    })
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections()
    await new Promise(resolve => this.server?.close(resolve))
  }
}

const FAST: HttpLimits = { requestTimeoutMs: 500, retryBaseMs: 10, maxRetries: 3, totalTimeoutMs: 10_000 }

async function withClient(
  steps: Step[],
  timing: Partial<HttpLimits>,
  use: (http: HttpClient, base: string, server: Scripted, logs: { info: string[]; debug: string[] }) => Promise<void>
): Promise<void> {
  const server = new Scripted(steps)
  const base = await server.start()
  const logs = { info: [] as string[], debug: [] as string[] }
  const http = new HttpClient('Test', { ...FAST, ...timing }, { info: m => logs.info.push(m), debug: m => logs.debug.push(m) })
  try {
    await use(http, base, server, logs)
  } finally {
    await http.close()
    await server.stop()
  }
}

test('a GET answered 503, then reset, then 200 is retried to the 200, each retry logged', async () => {
  await withClient([answer(503), reset, answer(200, '{"ok":true}')], {}, async (http, base, server, logs) => {
    const response = await http.request({ method: 'GET', url: `${base}/things?page=2` })
    expect(response).toMatchObject({ status: 200, text: '{"ok":true}' })
    expect(server.seen).toHaveLength(3)
    expect(logs.info).toEqual([
      expect.stringMatching(/^Test: GET \/things answered HTTP 503; retry 1 of 3 in \d+ ms\.$/),
      expect.stringMatching(/^Test: GET \/things answered (UND_ERR_SOCKET|ECONNRESET); retry 2 of 3 in \d+ ms\.$/)
    ])
    expect(logs.debug).toEqual([expect.stringMatching(/^Test: GET \/things → HTTP 200 in \d+ ms \(2 retries\)$/)])
  })
})

test('a PUT is retried with its body; a POST is never retried', async () => {
  await withClient([answer(502), answer(200)], {}, async (http, base, server) => {
    await http.request({ method: 'PUT', url: `${base}/x`, body: '{"a":1}' })
    expect(server.seen.map(seen => [seen.method, seen.body])).toEqual([
      ['PUT', '{"a":1}'],
      ['PUT', '{"a":1}']
    ])
  })
  await withClient([answer(503), answer(200)], {}, async (http, base, server, logs) => {
    const response = await http.request({ method: 'POST', url: `${base}/x`, body: '{}' })
    expect(response.status).toBe(503)
    expect(server.seen).toHaveLength(1)
    expect(logs.info).toEqual([])
  })
  await withClient([reset, answer(200)], {}, async (http, base, server) => {
    await expect(http.request({ method: 'POST', url: `${base}/x`, body: '{}' })).rejects.toMatchObject({
      code: expect.stringMatching(/UND_ERR_SOCKET|ECONNRESET/)
    })
    expect(server.seen).toHaveLength(1)
  })
})

test('a 429 waits as long as retry-after asks', async () => {
  await withClient([answer(429, '{}', { 'retry-after': '1' }), answer(200)], {}, async (http, base, server, logs) => {
    await http.request({ method: 'GET', url: `${base}/x` })
    expect(server.seen[1].at - server.seen[0].at).toBeGreaterThanOrEqual(950)
    expect(logs.info).toEqual([expect.stringContaining('answered HTTP 429; retry 1 of 3 in 1000 ms')])
  })
})

test('a final answer is handed over as it is, without retries', async () => {
  await withClient([answer(404, '{"success":false}'), answer(200)], {}, async (http, base, server) => {
    expect(await http.request({ method: 'GET', url: `${base}/x` })).toMatchObject({ status: 404, text: '{"success":false}' })
    expect(server.seen).toHaveLength(1)
  })
})

test('when retries run out, the caller gets the last answer', async () => {
  await withClient([answer(500, '{"last":true}')], { maxRetries: 2 }, async (http, base, server) => {
    expect(await http.request({ method: 'GET', url: `${base}/x` })).toMatchObject({ status: 500, text: '{"last":true}' })
    expect(server.seen).toHaveLength(3)
  })
})

test('no wait is started that would overrun the budget: the caller gets the last answer, not an abort', async () => {
  await withClient(
    [answer(503, '{"busy":true}')],
    { retryBaseMs: 200, maxRetries: 10, totalTimeoutMs: 700 },
    async (http, base, server) => {
      const started = Date.now()
      expect(await http.request({ method: 'GET', url: `${base}/x` })).toMatchObject({ status: 503, text: '{"busy":true}' })
      expect(Date.now() - started).toBeLessThan(700)
      expect(server.seen.length).toBeGreaterThanOrEqual(2)
      expect(server.seen.length).toBeLessThan(11)
    }
  )
})

test('an attempt without an answer times out (undici’s headers timeout) and is retried', async () => {
  await withClient([hang, answer(200)], { requestTimeoutMs: 200 }, async (http, base, server, logs) => {
    expect((await http.request({ method: 'GET', url: `${base}/x` })).status).toBe(200)
    expect(server.seen).toHaveLength(2)
    expect(logs.info).toEqual([expect.stringContaining('answered UND_ERR_HEADERS_TIMEOUT; retry 1 of 3')])
  })
})

test('a request that never gets an answer ends at the overall budget', async () => {
  await withClient([hang], { requestTimeoutMs: 5000, totalTimeoutMs: 300 }, async (http, base, _server, logs) => {
    const started = Date.now()
    await expect(http.request({ method: 'GET', url: `${base}/x` })).rejects.toThrow()
    expect(Date.now() - started).toBeLessThan(2000)
    expect(logs.debug).toEqual([expect.stringMatching(/^Test: GET \/x failed in \d+ ms: /)])
  })
})

test('logs name the method and path only: no query, header or body', async () => {
  await withClient([answer(503), answer(200, '{"secret":"s3cr3t-body"}')], {}, async (http, base, _server, logs) => {
    await http.request({
      method: 'PUT',
      url: `${base}/x?token=s3cr3t-query`,
      headers: { authorization: 'Bearer s3cr3t-header' },
      body: '{"s":"s3cr3t-sent"}'
    })
    const all = [...logs.info, ...logs.debug].join('\n')
    expect(all).toContain('PUT /x')
    expect(all).not.toMatch(/s3cr3t/)
  })
})

const trickle: Step = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' })
  res.write('[')
  const timer = setInterval(() => res.write(' '), 50)
  res.on('close', () => clearInterval(timer))
}

test('an answer that trickles in (each byte within the attempt timeout) is cut off at the overall budget', async () => {
  await withClient([trickle], { requestTimeoutMs: 1000, totalTimeoutMs: 600, maxRetries: 0 }, async (http, base) => {
    const started = Date.now()
    await expect(http.request({ method: 'GET', url: `${base}/x` })).rejects.toThrow()
    expect(Date.now() - started).toBeLessThan(2000)
  })
})

test('an answer bigger than MAX_RESPONSE_BYTES is refused, not held in memory', async () => {
  const huge: Step = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(MAX_RESPONSE_BYTES + 1) })
    res.end(Buffer.alloc(MAX_RESPONSE_BYTES + 1, 32))
  }
  await withClient([huge], { maxRetries: 0 }, async (http, base) => {
    await expect(http.request({ method: 'GET', url: `${base}/x` })).rejects.toMatchObject({ code: 'UND_ERR_RES_EXCEEDED_MAX_SIZE' })
  })
})

test('the run deadline aborts a request in flight with an error naming it', async () => {
  await withClient([hang], { requestTimeoutMs: 60_000, totalTimeoutMs: 60_000 }, async (http, base) => {
    startRunDeadline(0.005, () => undefined) // 300 ms
    try {
      const started = Date.now()
      const error = await http.request({ method: 'GET', url: `${base}/things` }).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(DeadlineError)
      expect((error as Error).message).toBe(
        "The run's deadline (timeout-minutes: 0.005) passed during Test: GET /things, so the run stopped there. Raise timeout-minutes if the services are just slow."
      )
      expect(Date.now() - started).toBeLessThan(2000)
    } finally {
      stopRunDeadline()
    }
  })
})

describe('prefetch', () => {
  test('a prefetched GET is sent at once, and the next request for its URL takes its answer instead of sending again', async () => {
    await withClient([answer(200, '{"n":1}'), answer(200, '{"n":2}')], {}, async (http, base, server) => {
      http.prefetch({ method: 'GET', url: `${base}/doc` })
      await new Promise(resolve => setTimeout(resolve, 50))
      expect(server.seen.map(seen => seen.url)).toEqual(['/doc'])
      expect(await http.request({ method: 'GET', url: `${base}/doc` })).toMatchObject({ text: '{"n":1}' })
      expect(server.seen).toHaveLength(1)
      // Taken once: the next request goes out.
      expect(await http.request({ method: 'GET', url: `${base}/doc` })).toMatchObject({ text: '{"n":2}' })
      expect(server.seen).toHaveLength(2)
    })
  })

  test('the same URL prefetched twice is sent once; other URLs and methods are not served from it', async () => {
    await withClient([answer(200, '{"n":1}'), answer(200, '{"n":2}'), answer(200, '{"n":3}')], {}, async (http, base, server) => {
      http.prefetch({ method: 'GET', url: `${base}/doc` })
      http.prefetch({ method: 'GET', url: `${base}/doc` })
      expect(await http.request({ method: 'GET', url: `${base}/doc?x=1` })).toMatchObject({ status: 200 })
      expect(await http.request({ method: 'PUT', url: `${base}/doc`, body: '{}' })).toMatchObject({ status: 200 })
      expect(await http.request({ method: 'GET', url: `${base}/doc` })).toMatchObject({ status: 200 })
      expect(server.seen.map(seen => `${seen.method} ${seen.url}`).sort()).toEqual(['GET /doc', 'GET /doc?x=1', 'PUT /doc'])
    })
  })

  test('a prefetch that fails and is never taken is dropped quietly; one that is taken fails its taker', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      await withClient([reset], { maxRetries: 0 }, async (http, base) => {
        http.prefetch({ method: 'GET', url: `${base}/dropped` })
        http.prefetch({ method: 'GET', url: `${base}/taken` })
        await expect(http.request({ method: 'GET', url: `${base}/taken` })).rejects.toThrow()
        await new Promise(resolve => setTimeout(resolve, 50))
      })
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })
})
