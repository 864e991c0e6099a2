"""The asyncio API: the same operations as awaitables, and `async for` over streamed answers."""

import asyncio

import otto


def test_async_flow(tmp_path, segments):
    async def main():
        async with await otto.AsyncOtto.open(tmp_path / "data", company_id="acme", user_id="mgr_1") as o:
            assert o.mode == "embedded"
            calls = await asyncio.gather(
                o.submit_call(rep_id="rep_a", segments=segments), o.submit_call(rep_id="rep_b", segments=segments)
            )
            done = await asyncio.gather(*(o.wait_for_call(c.call_id, timeout=60) for c in calls))
            assert {c.status for c in done} == {"completed"}
            stream = await o.ask_stream("What objections came up on the calls?")
            chunks = [c async for c in stream]
            assert chunks and stream.answer is not None
            perf = await o.performance()
            assert perf.total_calls == 2
            try:
                await o.call("missing")
            except otto.NotFoundError as e:
                assert e.code == "not_found"
            else:
                raise AssertionError("expected NotFoundError")

    asyncio.run(main())
