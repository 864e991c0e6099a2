// Compile-time checks of index.d.ts (tsc only, never run): the surface the tests use is typed.
import { Otto, AskStream, isOttoError, version, type OttoError, type Performance, type NewCall } from '@otto/node'

export async function surface(o: Otto): Promise<void> {
  const body: NewCall = { repId: 'r', segments: [{ speaker: 'rep', text: 'hi' }], rep_channel: 0, metadata: { a: [1] } }
  const call = await o.submitCall(body)
  const id: string = call.callId
  const stream: AskStream = await o.askStream('q', true)
  for await (const text of stream) {
    const s: string = text
    void s
  }
  const perf: Performance = await o.performance()
  const n: number = perf.totalCalls
  const remote = await Otto.connect({ baseUrl: 'http://127.0.0.1:1', token: 't', companyId: 'acme', timeoutMs: 5000 })
  const mode: 'embedded' | 'remote' = remote.mode
  try {
    await o.call(id)
  } catch (e) {
    if (isOttoError(e)) {
      const err: OttoError = e
      const status: number | undefined = err.status
      void status
    }
  }
  // @ts-expect-error role must be one of the four roles
  await Otto.open({ dataDir: '.', companyId: 'a', userId: 'u', role: 'janitor' })
  // @ts-expect-error documentType is a fixed set
  await o.ingestDocument('a.md', 'x', 'gossip')
  void [n, mode, version()]
}
