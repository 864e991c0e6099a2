// Checks of the uniffi Kotlin bindings on the JVM (no Gradle here: compiled with kotlinc and run
// with JNA). Prints "N passed, N failed" and exits non-zero on a failure.
import kotlinx.coroutines.async
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.runBlocking
import uniffi.otto_ffi.*
import java.nio.file.Files

var passed = 0
var failed = 0

fun check(name: String, body: suspend () -> Unit) = runBlocking {
    try {
        body()
        passed++
        println("ok   $name")
    } catch (e: Throwable) {
        failed++
        println("FAIL $name: $e")
    }
}

fun expect(cond: Boolean, what: String) {
    if (!cond) throw AssertionError(what)
}

val turns = listOf(
    "rep" to "Thanks for calling Peak Roofing, this is Jordan. How can I help?",
    "customer" to "Hi, this is Maria Lopez. We have a leak over the kitchen and I need someone to look at the roof.",
    "rep" to "We can send an inspector out for a free inspection and a written estimate.",
    "customer" to "Honestly I'm worried it's going to be too expensive. The last quote was way more than we can afford.",
    "rep" to "I understand. We offer financing with low monthly payments, and the inspection is free.",
    "customer" to "Okay. Thursday at 4 works for us.",
    "rep" to "Great, you're booked for Thursday at 4 pm. Thanks, Maria!",
)

fun main() {
    val dir = Files.createTempDirectory("otto-kotlin").toString()
    lateinit var otto: Otto
    lateinit var callId: String

    check("builder opens embedded Otto") {
        otto = OttoBuilder().embedded(dir).company("acme").user("mgr_1").role("manager").build()
        expect(otto.mode() == "embedded", "mode")
    }
    check("transcript in, objections out") {
        val segments = turns.mapIndexed { i, (s, t) -> Segment(s, t, i * 5.0, i * 5.0 + 4.5) }
        val call = otto.submitTranscript("rep_jordan", "2026-03-10T14:05:00-07:00", segments)
        callId = call.callId
        val done = otto.waitForCall(callId, 60.0)
        expect(done.status == "completed", "status ${done.status}")
        val kinds = otto.objections(callId).map { it.objectionType }
        expect("price" in kinds, "objections $kinds")
    }
    check("concurrent suspend calls") {
        val (call, perf) = coroutineScope {
            val x = async { otto.call(callId) }
            val y = async { otto.performance(null) }
            Pair(x.await(), y.await())
        }
        expect(call.callId == callId && perf.totalCalls == 1uL, "results")
    }
    check("streamed answer cites the call") {
        val chunks = mutableListOf<String>()
        val answer = otto.askStreaming("What objections did Maria Lopez raise?", false, object : AnswerListener {
            override fun onChunk(chunk: String) { synchronized(chunks) { chunks.add(chunk) } }
        })
        expect(chunks.isNotEmpty(), "no chunks")
        expect(answer.citations.any { it.sourceId == callId }, "citations ${answer.citations}")
    }
    check("typed errors") {
        try {
            otto.call("no_such_call")
            throw AssertionError("no error")
        } catch (e: OttoException.NotFound) {
            expect(e.message?.contains("no_such_call") == true, "message ${e.message}")
        }
        try {
            otto.ingestDocument("a.txt", "x".toByteArray(), "gossip")
            throw AssertionError("no error")
        } catch (e: OttoException.InvalidInput) {
            expect(e.message?.contains("document_type") == true, "message ${e.message}")
        }
    }
    check("builder validation") {
        try {
            OttoBuilder().company("acme").build()
            throw AssertionError("no error")
        } catch (e: OttoException.InvalidInput) {
        }
    }
    runBlocking { otto.shutdown() }
    println("$passed passed, $failed failed")
    if (failed > 0) kotlin.system.exitProcess(1)
}
