// Loopback-only network guard, preloaded into the action's process by the test harness
// (`NODE_OPTIONS=--import=<this file>`), and into every jest process through jest's `setupFiles`
// (the in-process tests run the action's code there). Jest loads it once per test file into the
// same process: it patches only once.
//
// Why: the end-to-end tests run the real bundle against local fakes of Cognito, Cloudflare and
// GitHub. A missing endpoint override must never turn into a call to real AWS, Cloudflare or
// GitHub (with whatever credentials happen to be around), nor silently depend on the network.
// So every connection to anything but this machine fails, loudly: an error the client sees as a
// failed connection, plus an `::error::` line on stderr that the harness reports as an annotation.
//
// Every TCP/TLS client in Node (http, https, http2, fetch/undici, the AWS SDK) ends up in
// `net.Socket.prototype.connect`, so patching it covers them all; `dns.lookup` is patched too so
// that even resolving a public name is visible. Unix sockets and pipes stay allowed.
import dns from 'node:dns'
import fs from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'
import net from 'node:net'

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1'])

function unbracketed(host) {
  return String(host)
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
}

function isLoopback(host) {
  return LOOPBACK.has(unbracketed(host))
}

function blocked(what) {
  // fs.writeSync: the line must reach stderr even if the process dies right after.
  fs.writeSync(2, `::error::loopback-only guard blocked ${what}\n`)
  const error = new Error(`loopback-only guard: blocked ${what}`)
  error.code = 'ERR_LOOPBACK_ONLY'
  return error
}

/** The TCP destination of a `Socket#connect` call, or undefined for a Unix socket / pipe. */
function destination(args) {
  // net.connect() passes its already-normalized [options, callback] array as the first argument.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0]
  if (first !== null && typeof first === 'object') {
    // Like net itself, a truthy `path` means a pipe (http passes `path: null` for TCP).
    if (first.path) return undefined
    return { host: first.host ?? 'localhost', port: first.port, options: first }
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return undefined // a pipe path
  return { host: typeof args[1] === 'string' ? args[1] : 'localhost', port: first }
}

/**
 * A caller's own `lookup` decides where a named host connects: undici passes one that answers
 * with the IP it was given, when a TLS server name other than that IP is the host (a proxy on
 * 127.0.0.1 for an https target). So what it resolves to is checked instead of the name.
 */
function guardedCustomLookup(lookup, target) {
  return (hostname, options, callback) =>
    lookup(hostname, options, (error, address, family) => {
      if (error) return callback(error)
      const addresses = Array.isArray(address) ? address.map(entry => entry.address) : [address]
      const outside = addresses.find(candidate => !isLoopback(candidate))
      if (outside !== undefined) return callback(blocked(`connection to ${target.host} (${outside}):${target.port}`))
      callback(null, address, family)
    })
}

/** Marks the patched connect, so that a second load of this file changes nothing. */
const INSTALLED = Symbol.for('loopback-only guard')

function install() {
  const originalConnect = net.Socket.prototype.connect
  function guardedConnect(...args) {
    const target = destination(args)
    // Node calls a custom lookup only for a name, not for an IP.
    if (target && typeof target.options?.lookup === 'function' && net.isIP(unbracketed(target.host)) === 0) {
      target.options.lookup = guardedCustomLookup(target.options.lookup, target)
    } else if (target && !isLoopback(target.host)) {
      // Fail the way a refused connection fails (an 'error' event on the socket), so callers
      // take their ordinary error path instead of crashing somewhere unexpected.
      const error = blocked(`connection to ${target.host}:${target.port}`)
      process.nextTick(() => this.destroy(error))
      return this
    }
    return originalConnect.apply(this, args)
  }
  guardedConnect[INSTALLED] = true
  net.Socket.prototype.connect = guardedConnect

  const originalLookup = dns.lookup
  dns.lookup = function guardedLookup(hostname, ...rest) {
    if (isLoopback(hostname)) return originalLookup.call(this, hostname, ...rest)
    const callback = rest.at(-1)
    const error = blocked(`DNS lookup of ${hostname}`)
    if (typeof callback !== 'function') throw error
    process.nextTick(() => callback(error))
    return {}
  }

  const originalPromisesLookup = dns.promises.lookup
  dns.promises.lookup = async function guardedPromisesLookup(hostname, ...rest) {
    if (isLoopback(hostname)) return originalPromisesLookup.call(this, hostname, ...rest)
    throw blocked(`DNS lookup of ${hostname}`)
  }

  // Make `import { lookup } from 'node:dns'` (and 'node:dns/promises') see the patched functions.
  syncBuiltinESMExports()
}

if (!net.Socket.prototype.connect[INSTALLED]) install()
