// Remote mode against a real `otto serve` (set OTTO_BIN): the same calls over REST and the Ask
// Otto WebSocket. Skipped when OTTO_BIN is unset.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { otto, STARTED_AT, startServer, transcript } from './helpers.mjs'

describe('remote', { skip: process.env.OTTO_BIN ? false : 'OTTO_BIN is not set: remote tests need a built `otto` binary' }, () => {
  let server
  before(async () => {
    server = await startServer()
  })
  after(async () => {
    await server?.stop()
  })

  test('remote flow', async () => {
    const o = await otto.Otto.connect({ baseUrl: server.baseUrl, token: server.token('mgr_1', 'manager'), companyId: 'acme' })
    try {
      assert.equal(o.mode, 'remote')
      const call = await o.submitCall({ repId: 'rep_jordan', startedAt: STARTED_AT, segments: transcript() })
      const done = await o.waitForCall(call.callId, 60_000)
      assert.equal(done.status, 'completed')
      const kinds = (await o.objections(call.callId)).objections.map((x) => x.objectionType)
      assert.ok(kinds.includes('price'), kinds.join(','))
      const doc = await o.ingestDocument('faq.md', Buffer.from('# Warranty\n\nEvery Peak Roofing roof carries a 25 year warranty.'), 'reference')
      assert.equal((await o.waitForDocument(doc.documentId, 60_000)).status, 'indexed')
      const stream = await o.askStream('What objections did Maria Lopez raise?')
      const chunks = []
      for await (const chunk of stream) chunks.push(chunk)
      assert.ok(chunks.length > 0)
      assert.ok(stream.answer.citations.some((c) => c.sourceId === call.callId), JSON.stringify(stream.answer))
      assert.equal((await o.performance()).totalCalls, 1)
    } finally {
      await o.close()
    }
  })

  test('remote errors are typed', async () => {
    const bad = await otto.Otto.connect({ baseUrl: server.baseUrl, token: 'not-a-jwt', companyId: 'acme' })
    await assert.rejects(bad.call('x'), { code: 'unauthorized', name: 'UnauthorizedError', status: 401 })
    await bad.close()
    const rep = await otto.Otto.connect({ baseUrl: server.baseUrl, token: server.token('rep_1', 'sales_rep'), companyId: 'acme' })
    try {
      await assert.rejects(rep.ingestDocument('sop.md', '# SOP\n\nGreet the customer.', 'sop'), { code: 'forbidden', status: 403 })
      await assert.rejects(rep.call('nope'), { code: 'not_found', status: 404 })
      await assert.rejects(rep.submitCall({ repChannel: 7 }), { code: 'bad_request', status: 400, message: /rep_channel/ })
    } finally {
      await rep.close()
    }
  })
})
