"""The uniffi FFI surface through its generated Python module (the same .so Swift and Kotlin use)."""

import asyncio
import tempfile

import pytest

import otto_ffi as ffi

TURNS = [
    ("rep", "Thanks for calling Peak Roofing, this is Jordan. How can I help?"),
    ("customer", "Hi, this is Maria Lopez. We have a leak over the kitchen and I need someone to look at the roof."),
    ("rep", "We can send an inspector out for a free inspection and a written estimate."),
    ("customer", "Honestly I'm worried it's going to be too expensive. The last quote was way more than we can afford."),
    ("rep", "I understand. We offer financing with low monthly payments, and the inspection is free."),
    ("customer", "Okay. Thursday at 4 works for us."),
    ("rep", "Great, you're booked for Thursday at 4 pm. Thanks, Maria!"),
]


class Collect(ffi.AnswerListener):
    def __init__(self):
        self.chunks = []

    def on_chunk(self, chunk):
        self.chunks.append(chunk)


def test_embedded_flow():
    async def main():
        o = await ffi.OttoBuilder().embedded(tempfile.mkdtemp()).company("acme").user("mgr_1").build()
        assert o.mode() == "embedded"
        segments = [ffi.Segment(speaker=s, text=t, start_time=i * 5.0, end_time=i * 5.0 + 4.5) for i, (s, t) in enumerate(TURNS)]
        call = await o.submit_transcript("rep_jordan", "2026-03-10T14:05:00-07:00", segments)
        done = await o.wait_for_call(call.call_id, 60.0)
        assert done.status == "completed"
        assert "price" in [x.objection_type for x in await o.objections(call.call_id)]
        listener = Collect()
        answer = await o.ask_streaming("What objections did Maria Lopez raise?", False, listener)
        assert listener.chunks
        assert any(c.source_id == call.call_id for c in answer.citations)
        perf, analysis = await asyncio.gather(o.performance(None), o.analysis_json(call.call_id))
        assert perf.total_calls == 1 and '"objections"' in analysis
        with pytest.raises(ffi.OttoError.NotFound):
            await o.call("missing")
        with pytest.raises(ffi.OttoError.InvalidInput):
            await o.analytics_json("weather", None)
        await o.shutdown()

    asyncio.run(main())


def test_builder_needs_a_mode():
    async def main():
        with pytest.raises(ffi.OttoError.InvalidInput):
            await ffi.OttoBuilder().company("acme").build()

    asyncio.run(main())
