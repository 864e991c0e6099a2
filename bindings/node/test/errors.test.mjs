// Typed errors: every rejection is an Error with the SDK's `code` (and `status`/`retryAfter`).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { join } from 'node:path'
import { embedded, otto, tempDir } from './helpers.mjs'

test('unknown call rejects with not_found', async (t) => {
  const o = await embedded(t)
  const err = await o.call('no_such_call').then(
    () => assert.fail('resolved'),
    (e) => e,
  )
  assert.ok(err instanceof Error)
  assert.ok(otto.isOttoError(err))
  assert.equal(err.code, 'not_found')
  assert.equal(err.name, 'NotFoundError')
  assert.match(err.message, /no_such_call/)
  assert.equal(err.status, undefined, 'no HTTP status in embedded mode')
})

test('invalid input rejects with bad_request naming the field', async (t) => {
  const o = await embedded(t)
  await assert.rejects(o.submitCall({ repChannel: 7 }), (e) => {
    assert.equal(e.code, 'bad_request')
    assert.equal(e.name, 'InvalidInputError')
    assert.match(e.message, /rep_channel/)
    return true
  })
  await assert.rejects(o.submitCall({ rep_channel: 7 }), { code: 'bad_request', message: /rep_channel/ })
  await assert.rejects(o.ingestDocument('notes.txt', 'x', 'gossip'), { code: 'bad_request', message: /document_type/ })
  await assert.rejects(o.performance({ dateRange: 'last week' }), { code: 'bad_request' })
  await assert.rejects(o.ask('   '), { code: 'bad_request', message: /question/ })
  await assert.rejects(o.askStream(''), { code: 'bad_request' })
  await assert.rejects(o.waitForCall('x', -1), { code: 'bad_request', message: /timeoutMs/ })
  await assert.rejects(o.ingestDocument(join(tempDir(t), 'missing.md')), { code: 'bad_request', message: /missing\.md/ })
})

test('opening with an unknown role is an Otto error', async (t) => {
  await assert.rejects(
    otto.Otto.open({ dataDir: join(tempDir(t), 'x'), companyId: 'acme', userId: 'u1', role: 'janitor' }),
    (e) => otto.isOttoError(e),
  )
})

test('isOttoError narrows only Otto errors', () => {
  assert.equal(otto.isOttoError(new Error('plain')), false)
  assert.equal(otto.isOttoError(null), false)
  assert.equal(otto.isOttoError('not_found'), false)
  assert.equal(otto.isOttoError(Object.assign(new Error('x'), { code: 'ENOENT' })), false)
  assert.equal(otto.isOttoError(Object.assign(new Error('x'), { code: 'not_found' })), true)
})
