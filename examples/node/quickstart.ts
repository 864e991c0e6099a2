// The quickstart in TypeScript: compiled with `tsc --strict` against @otto/node's types by
// `npm test` in bindings/node (it is not run; quickstart.mjs is the same program, and is).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Otto, isOttoError, type Answer, type Call, type Objection, type SegmentInput } from '@otto/node'

async function main(): Promise<void> {
  const dataDir = process.env.OTTO_EXAMPLE_DATA ?? mkdtempSync(join(tmpdir(), 'otto-'))
  const otto: Otto = await Otto.open({ dataDir, companyId: 'acme', userId: 'mgr_1', role: 'manager' })
  try {
    const turns: Array<[string, string]> = [
      ['rep', 'Thanks for calling Peak Roofing, this is Jordan.'],
      ['customer', "I'm worried it'll be too expensive, the last quote was more than we can afford."],
      ['rep', 'We offer financing with low monthly payments. Thursday at 4 pm?'],
      ['customer', 'Thursday at 4 works.'],
    ]
    const segments: SegmentInput[] = turns.map(([speaker, text], i) => ({ speaker, text, startTime: i * 5, endTime: i * 5 + 4.5 }))
    let call: Call = await otto.submitCall({ repId: 'rep_jordan', startedAt: '2026-03-10T14:05:00-07:00', segments })
    call = await otto.waitForCall(call.callId, 60_000)
    console.log('call:', call.callId, call.status satisfies 'pending' | 'in_progress' | 'processing' | 'completed' | 'failed')

    const objections: Objection[] = (await otto.objections(call.callId)).objections
    for (const x of objections) console.log('objections:', x.objectionType, x.handled, x.objectionText)

    const stream = await otto.askStream('What objections did Maria Lopez raise?')
    let text = ''
    for await (const chunk of stream) text += chunk
    const answer: Answer | null = stream.answer
    console.log('answer:', text, answer?.citations.map((c) => c.sourceId))

    const perf = await otto.performance({ dateRange: '2026-01-01..' })
    const total: number = perf.totalCalls
    const leads = await otto.leadAnalytics({ limit: 5 })
    console.log(total, leads.leadSources, (await otto.objectionAnalytics()).objectionFrequency['price'] ?? 0)

    const doc = await otto.ingestDocument('financing.md', Buffer.from('# Financing\n\n0% for 18 months.'), 'policy')
    console.log((await otto.waitForDocument(doc.documentId)).chunksCreated)

    try {
      await otto.call('no_such_call')
    } catch (e: unknown) {
      if (isOttoError(e)) {
        const code: 'not_found' | string = e.code
        console.log(code, e.status ?? '-', e.retryAfter ?? '-', e.message)
      } else {
        throw e
      }
    }
  } finally {
    await otto.close()
  }
}

void main()
