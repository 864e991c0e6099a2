"""Remote mode against a real `otto serve`: the same calls over REST and the Ask Otto WebSocket."""

import pytest

import otto


def test_remote_flow(server, segments):
    o = otto.Otto.connect(server["base_url"], token=server["token"]("mgr_1", "manager"), company_id="acme")
    try:
        assert o.mode == "remote"
        call = o.submit_call(rep_id="rep_jordan", segments=segments)
        done = o.wait_for_call(call.call_id, timeout=60)
        assert done.status == "completed"
        assert "price" in {x.objection_type for x in o.objections(call.call_id).objections}
        doc = o.ingest_document("faq.md", b"# Warranty\n\nEvery Peak Roofing roof carries a 25 year warranty.", "reference")
        assert o.wait_for_document(doc.document_id, timeout=60).status == "indexed"
        stream = o.ask_stream("What objections did Maria Lopez raise?")
        chunks = list(stream)
        assert chunks
        assert any(c.source_id == call.call_id for c in stream.answer.citations)
        assert o.performance().total_calls == 1
    finally:
        o.close()


def test_remote_errors_are_typed(server):
    with pytest.raises(otto.UnauthorizedError) as e:
        otto.Otto.connect(server["base_url"], token="not-a-jwt", company_id="acme").call("x")
    assert e.value.status == 401
    rep = otto.Otto.connect(server["base_url"], token=server["token"]("rep_1", "sales_rep"), company_id="acme")
    with pytest.raises(otto.ForbiddenError):
        rep.ingest_document("sop.md", b"# SOP\n\nGreet the customer.", "sop")
    with pytest.raises(otto.NotFoundError):
        rep.call("nope")
