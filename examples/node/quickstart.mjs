// Otto from Node.js: open an embedded Otto, submit a call, read the objections, stream an answer.
//
//   cd bindings/node && npm install && npm run build     # builds the addon
//   cd examples/node && npm install && node quickstart.mjs
//
// Embedded mode keeps everything on a local data directory: no server, no account, no network.
// Swap `Otto.open(...)` for `Otto.connect({ baseUrl, token, companyId })` to run the same code
// against an Otto server. quickstart.ts is the same program in TypeScript.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Otto, isOttoError } from '@otto/node'

const dataDir = process.env.OTTO_EXAMPLE_DATA ?? mkdtempSync(join(tmpdir(), 'otto-'))
const otto = await Otto.open({ dataDir, companyId: 'acme', userId: 'mgr_1', role: 'manager' })

try {
  // Submit a call with a ready transcript (from your phone system or CRM).
  const turns = [
    ['rep', 'Thanks for calling Peak Roofing, this is Jordan.'],
    ['customer', "Hi, I'm Maria Lopez. There's a leak over my kitchen and I need the roof looked at."],
    ['rep', 'Sorry to hear it. We can do a free inspection and a written estimate.'],
    ['customer', "I'm worried it'll be too expensive, the last quote was more than we can afford."],
    ['rep', 'We offer financing with low monthly payments, and the inspection itself is free.'],
    ['customer', 'Okay. Thursday at 4 works for us.'],
    ['rep', "You're booked for Thursday at 4 pm. Thanks, Maria!"],
  ]
  const segments = turns.map(([speaker, text], i) => ({ speaker, text, startTime: i * 5, endTime: i * 5 + 4.5 }))
  let call = await otto.submitCall({
    repId: 'rep_jordan',
    callType: 'csr_inbound',
    startedAt: '2026-03-10T14:05:00-07:00',
    segments,
  })
  call = await otto.waitForCall(call.callId, 60_000)
  console.log('call:', call.callId, call.status)

  // What did the customer push back on, and was it handled?
  for (const x of (await otto.objections(call.callId)).objections) {
    console.log('objections:', x.objectionType, x.handled ? 'handled' : 'open', '-', x.objectionText)
  }

  // Ask Otto, streaming the answer as it is written.
  const stream = await otto.askStream('What objections did Maria Lopez raise?')
  let text = ''
  for await (const chunk of stream) text += chunk
  console.log('answer:', text)
  for (const c of stream.answer?.citations ?? []) console.log('  source:', c.source, c.excerpt.slice(0, 60))

  // Analytics.
  const perf = await otto.performance()
  console.log('performance:', perf.totalCalls, 'calls, conversion', perf.conversionRate)

  // Errors carry a code.
  try {
    await otto.call('no_such_call')
  } catch (e) {
    if (isOttoError(e)) console.log('error:', e.code, e.message)
    else throw e
  }
} finally {
  await otto.close()
}
