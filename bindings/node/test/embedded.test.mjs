// Embedded mode end to end: transcript in, analysis, objections, documents, Ask Otto, analytics.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { embedded, otto, STARTED_AT, transcript } from './helpers.mjs'

test('transcript to objections and a cited answer', async (t) => {
  const o = await embedded(t)
  assert.equal(o.mode, 'embedded')
  const call = await o.submitCall({ repId: 'rep_jordan', callType: 'csr_inbound', startedAt: STARTED_AT, segments: transcript() })
  assert.ok(['pending', 'processing'].includes(call.status), call.status)
  const done = await o.waitForCall(call.callId, 60_000)
  assert.equal(done.status, 'completed')

  const objections = await o.objections(call.callId)
  const kinds = new Set(objections.objections.map((x) => x.objectionType))
  assert.ok(kinds.has('price'), [...kinds].join(','))
  const price = objections.objections.find((x) => x.objectionType === 'price')
  assert.match(price.objectionText.toLowerCase(), /expensive/)

  const analysis = await o.analysis(call.callId)
  assert.equal(analysis.callId, call.callId)
  assert.ok(Object.keys(analysis.lead).length > 0)
  assert.equal(analysis.appointment?.booked, true)

  const answer = await o.ask('What objections did Maria Lopez raise?')
  assert.ok(answer.answer)
  assert.ok(answer.citations.some((c) => c.sourceId === call.callId), JSON.stringify(answer))
})

test('streamed answer as an async iterator, then a follow-up', async (t) => {
  const o = await embedded(t)
  const call = await o.submitCall({ repId: 'rep_jordan', startedAt: STARTED_AT, segments: transcript() })
  await o.waitForCall(call.callId, 60_000)
  const stream = await o.askStream('When is the appointment with Maria Lopez?')
  assert.equal(stream.answer, null)
  const chunks = []
  for await (const chunk of stream) {
    assert.equal(typeof chunk, 'string')
    chunks.push(chunk)
  }
  assert.ok(chunks.length > 0, 'the answer streams in pieces')
  assert.ok(chunks.join('').trim())
  assert.ok(stream.answer)
  assert.equal(stream.answer.answer.replace(/\s+/g, ''), chunks.join('').replace(/\s+/g, ''))
  const follow = await o.ask('And what was her address?', true)
  assert.equal(follow.sessionId, stream.answer.sessionId)
})

test('analytics', async (t) => {
  const o = await embedded(t)
  const call = await o.submitCall({ repId: 'rep_jordan', startedAt: STARTED_AT, segments: transcript() })
  await o.waitForCall(call.callId, 60_000)
  const perf = await o.performance()
  assert.equal(perf.totalCalls, 1)
  assert.equal(perf.scope, 'company')
  const reps = await o.repPerformance({ limit: 10 })
  assert.deepEqual(reps.reps.map((r) => r.repId), ['rep_jordan'])
  const objections = await o.objectionAnalytics({ dateRange: '2000-01-01..' })
  assert.equal(objections.objectionFrequency.price, 1)
  const leads = await o.leadAnalytics()
  assert.equal(leads.total, 1)
})

test('documents are searchable', async (t) => {
  const o = await embedded(t)
  const text =
    '# Financing policy\n\nPeak Roofing offers 0% financing for 18 months on any roof replacement over $8,000. ' +
    'Reps must mention financing whenever a customer raises price.'
  const doc = await o.ingestDocument('financing.md', Buffer.from(text), 'policy')
  assert.equal(doc.documentType, 'policy')
  const ready = await o.waitForDocument(doc.documentId, 60_000)
  assert.equal(ready.status, 'indexed')
  assert.ok(ready.chunksCreated >= 1)
  const answer = await o.ask('How many months of financing do we offer?')
  assert.ok(answer.citations.some((c) => c.sourceId === doc.documentId), JSON.stringify(answer))
})

test('a rep sees only their own calls', async (t) => {
  const { tempDir } = await import('./helpers.mjs')
  const data = tempDir(t)
  const manager = await otto.Otto.open({ dataDir: data, companyId: 'acme', userId: 'mgr_1' })
  const theirs = await manager.submitCall({ repId: 'rep_other', segments: transcript() })
  await manager.waitForCall(theirs.callId, 60_000)
  await manager.close()
  const rep = await otto.Otto.open({ dataDir: data, companyId: 'acme', userId: 'rep_me', role: 'sales_rep' })
  t.after(() => rep.close())
  await assert.rejects(rep.call(theirs.callId), { code: 'not_found' })
  const perf = await rep.performance()
  assert.equal(perf.scope, 'own')
  assert.equal(perf.totalCalls, 0)
})

test('types.d.ts declares exactly the fields results carry', async (t) => {
  const { declaredFields } = await import('./helpers.mjs')
  const declared = declaredFields()
  const o = await embedded(t)
  const call = await o.submitCall({ repId: 'rep_jordan', startedAt: STARTED_AT, segments: transcript() })
  const doc = await o.ingestDocument('faq.md', '# Warranty\n\nEvery Peak Roofing roof carries a 25 year warranty.', 'reference')
  await o.waitForCall(call.callId, 60_000)
  await o.waitForDocument(doc.documentId, 60_000)
  const objections = await o.objections(call.callId)
  const answer = await o.ask('What objections did Maria Lopez raise?')
  const results = {
    Call: await o.call(call.callId),
    Analysis: await o.analysis(call.callId),
    Objections: objections,
    Objection: objections.objections[0],
    Document: await o.document(doc.documentId),
    Answer: answer,
    Citation: answer.citations[0],
    Performance: await o.performance(),
    RepPerformance: await o.repPerformance(),
    ObjectionAnalytics: await o.objectionAnalytics(),
    LeadAnalytics: await o.leadAnalytics(),
  }
  for (const [name, value] of Object.entries(results)) {
    assert.ok(value, `${name}: no sample result`)
    const sent = new Set(Object.keys(value))
    const missing = [...declared[name]].filter((f) => !sent.has(f))
    const extra = [...sent].filter((f) => !declared[name].has(f))
    assert.deepEqual({ name, missing, extra }, { name, missing: [], extra: [] })
  }
})
