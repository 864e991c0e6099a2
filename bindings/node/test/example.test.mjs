// The example in examples/node runs as written (embedded mode, no network).
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, symlinkSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { pkgDir, tempDir } from './helpers.mjs'

const examples = resolve(pkgDir, '../../examples/node')

test('quickstart.mjs runs', async (t) => {
  // What `npm install` in examples/node does for its `file:` dependency: a symlink.
  const link = join(examples, 'node_modules', '@otto', 'node')
  if (!existsSync(link)) {
    mkdirSync(join(examples, 'node_modules', '@otto'), { recursive: true })
    symlinkSync(pkgDir, link, 'dir')
  }
  const env = { ...process.env, OTTO_EXAMPLE_DATA: join(tempDir(t), 'data') }
  const { stdout } = await promisify(execFile)(process.execPath, [join(examples, 'quickstart.mjs')], { env, timeout: 120_000 })
  assert.match(stdout, /objections: price/)
  assert.match(stdout, /answer: \S/)
  assert.match(stdout, /error: not_found/)
})
