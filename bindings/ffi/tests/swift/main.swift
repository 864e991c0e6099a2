// Checks of the uniffi Swift bindings, run on Linux (swiftlang in a Debian trixie chroot, see
// `cargo xtask bindings swift`). Prints "N passed, N failed".
import Foundation

var passed = 0
var failed = 0

func check(_ name: String, _ body: () async throws -> Void) async {
    do {
        try await body()
        passed += 1
        print("ok   \(name)")
    } catch {
        failed += 1
        print("FAIL \(name): \(error)")
    }
}

struct Failure: Error { let what: String }

final class Collect: AnswerListener, @unchecked Sendable {
    var chunks: [String] = []
    let lock = NSLock()
    func onChunk(chunk: String) { lock.lock(); chunks.append(chunk); lock.unlock() }
}

let turns: [(String, String)] = [
    ("rep", "Thanks for calling Peak Roofing, this is Jordan. How can I help?"),
    ("customer", "Hi, this is Maria Lopez. We have a leak over the kitchen and I need someone to look at the roof."),
    ("rep", "We can send an inspector out for a free inspection and a written estimate."),
    ("customer", "Honestly I'm worried it's going to be too expensive. The last quote was way more than we can afford."),
    ("rep", "I understand. We offer financing with low monthly payments, and the inspection is free."),
    ("customer", "Okay. Thursday at 4 works for us."),
    ("rep", "Great, you're booked for Thursday at 4 pm. Thanks, Maria!"),
]

let dir = NSTemporaryDirectory() + "otto-swift-\(UUID().uuidString)"
let done = DispatchSemaphore(value: 0)
Task {
    var otto: Otto? = nil
    var callId = ""
    await check("builder opens embedded Otto") {
        otto = try await OttoBuilder().embedded(dataDir: dir).company(companyId: "acme").user(userId: "mgr_1").build()
        guard otto!.mode() == "embedded" else { throw Failure(what: "mode") }
    }
    await check("transcript in, objections out") {
        let segments = turns.enumerated().map { i, t in
            Segment(speaker: t.0, text: t.1, startTime: Double(i) * 5, endTime: Double(i) * 5 + 4.5)
        }
        let call = try await otto!.submitTranscript(repId: "rep_jordan", startedAt: "2026-03-10T14:05:00-07:00", segments: segments)
        callId = call.callId
        let finished = try await otto!.waitForCall(callId: callId, timeoutSecs: 60)
        guard finished.status == "completed" else { throw Failure(what: "status \(finished.status)") }
        let kinds = try await otto!.objections(callId: callId).map { $0.objectionType }
        guard kinds.contains("price") else { throw Failure(what: "objections \(kinds)") }
    }
    await check("streamed answer cites the call") {
        let listener = Collect()
        let answer = try await otto!.askStreaming(question: "What objections did Maria Lopez raise?", followUp: false, listener: listener)
        guard !listener.chunks.isEmpty else { throw Failure(what: "no chunks") }
        guard answer.citations.contains(where: { $0.sourceId == callId }) else { throw Failure(what: "citations") }
    }
    await check("typed errors") {
        do {
            _ = try await otto!.call(callId: "no_such_call")
            throw Failure(what: "no error")
        } catch OttoError.NotFound(let details) {
            guard details.contains("no_such_call") else { throw Failure(what: details) }
        }
    }
    await otto?.shutdown()
    print("\(passed) passed, \(failed) failed")
    done.signal()
}
done.wait()
exit(failed == 0 ? 0 : 1)
