// Shared fixtures: a realistic transcript, an embedded Otto, and a running `otto serve`
// (the Node twin of bindings/python/tests/conftest.py).
import { spawn, execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

export const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..')
export const otto = createRequire(import.meta.url)('../index.js')

// A short inbound roofing call: a price objection the rep handles, a spouse objection, and a
// booked appointment. Written for these tests, not taken from the eval sets.
export const SEGMENTS = [
  ['rep', 'Thanks for calling Peak Roofing, this is Jordan. How can I help?'],
  ['customer', 'Hi, this is Maria Lopez. We have a leak over the kitchen after the storm and I need someone to look at the roof.'],
  ['rep', "I'm sorry to hear that. Is this a home you own, and what's the address?"],
  ['customer', "Yes, we own it. It's 212 Birch Lane."],
  ['rep', 'Got it. We can send an inspector out for a free inspection and a written estimate.'],
  ['customer', "Honestly I'm worried it's going to be too expensive. The last quote we got was way more than we can afford."],
  ['rep', 'I understand. The inspection is free, and we offer financing with low monthly payments, so you can see the real number before deciding anything.'],
  ['customer', 'Okay, that helps. But I need to talk to my husband before we commit to anything.'],
  ['rep', 'Of course. Would Thursday at 4 pm work so you can both be there when the inspector comes?'],
  ['customer', 'Thursday at 4 works. See you then.'],
  ['rep', "Great, you're booked for Thursday at 4 pm at 212 Birch Lane. Thanks, Maria!"],
]

export const STARTED_AT = '2026-03-10T14:05:00-07:00'

export function transcript(segments = SEGMENTS) {
  const out = []
  let t = 0
  for (const [speaker, text] of segments) {
    const length = Math.max(2, text.split(/\s+/).length * 0.35)
    out.push({ speaker, text, startTime: round(t), endTime: round(t + length) })
    t += length + 0.3
  }
  return out
}

const round = (x) => Math.round(x * 100) / 100

export function tempDir(t) {
  const dir = mkdtempSync(join(tmpdir(), 'otto-node-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** An embedded Otto on a fresh data dir, closed after the test. */
export async function embedded(t, options = {}) {
  const o = await otto.Otto.open({ dataDir: join(tempDir(t), 'data'), companyId: 'acme', userId: 'mgr_1', role: 'manager', ...options })
  t.after(() => o.close())
  return o
}

/** The fields each interface of types.d.ts declares. */
export function declaredFields() {
  const text = readFileSync(join(pkgDir, 'types.d.ts'), 'utf8')
  const out = {}
  for (const m of text.matchAll(/export interface (\w+)(?: extends \w+)? \{([^}]*)\}/g)) {
    out[m[1]] = new Set([...m[2].matchAll(/^ {2}(\w+)\??:/gm)].map((f) => f[1]))
  }
  return out
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

/**
 * An `otto serve` on a fresh data dir; OTTO_BIN names the binary (CI sets it). Resolves to
 * `{ baseUrl, token(user, role, company?), stop() }`, or null when OTTO_BIN is unset.
 */
export async function startServer() {
  const binary = process.env.OTTO_BIN
  if (!binary) return null
  const data = mkdtempSync(join(tmpdir(), 'otto-server-'))
  const env = { ...process.env, OTTO_DATA_DIR: data, OTTO_JWT_SECRET: randomBytes(32).toString('hex'), OTTO_LOG: 'warn' }
  const port = await freePort()
  const proc = spawn(binary, ['serve', '--addr', `127.0.0.1:${port}`], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  const output = []
  proc.stderr.on('data', (d) => output.push(String(d)))
  const baseUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`otto serve did not start in 60 s: ${output.join('')}`)), 60_000)
    const lines = createInterface({ input: proc.stdout })
    lines.on('line', (line) => {
      output.push(line + '\n')
      const m = /listening on (http:\/\/\S+)/.exec(line)
      if (m) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    proc.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`otto serve exited with ${code}: ${output.join('')}`))
    })
  })
  const token = (user, role, company = 'acme') =>
    execFileSync(binary, ['token', '--company', company, '--user', user, '--role', role], { env, encoding: 'utf8' })
      .trim()
      .split('\n')
      .at(-1)
  const stop = async () => {
    proc.removeAllListeners('exit')
    if (proc.exitCode === null) {
      const exited = new Promise((resolve) => proc.once('exit', resolve))
      proc.kill('SIGTERM')
      await exited
    }
    rmSync(data, { recursive: true, force: true })
  }
  return { baseUrl, token, stop }
}
