"""Embedded mode end to end: transcript in, analysis, objections, documents, Ask Otto, analytics."""

import threading
import time

import pytest

import otto


def test_transcript_to_objections_and_answer(embedded, segments):
    call = embedded.submit_call(
        rep_id="rep_jordan", call_type="csr_inbound", started_at="2026-03-10T14:05:00-07:00", segments=segments
    )
    assert isinstance(call, otto.Call)
    assert call.status in ("pending", "processing")
    done = embedded.wait_for_call(call.call_id, timeout=60)
    assert done.status == "completed"

    objections = embedded.objections(call.call_id)
    assert isinstance(objections, otto.Objections)
    kinds = {o.objection_type for o in objections.objections}
    assert "price" in kinds, kinds
    assert all(isinstance(o, otto.Objection) for o in objections.objections)
    price = next(o for o in objections.objections if o.objection_type == "price")
    assert "expensive" in price.objection_text.lower()

    analysis = embedded.analysis(call.call_id)
    assert analysis.call_id == call.call_id
    assert analysis.lead.to_dict()  # a nested Record
    assert analysis.appointment.to_dict()["booked"] is True

    answer = embedded.ask("What objections did Maria Lopez raise?")
    assert isinstance(answer, otto.Answer)
    assert answer.answer
    assert any(c.source_id == call.call_id for c in answer.citations), answer.to_dict()
    assert all(isinstance(c, otto.Citation) for c in answer.citations)


def test_streamed_answer_and_follow_up(embedded, segments):
    call = embedded.submit_call(rep_id="rep_jordan", segments=segments)
    embedded.wait_for_call(call.call_id, timeout=60)
    stream = embedded.ask_stream("When is the appointment with Maria Lopez?")
    assert stream.answer is None
    chunks = list(stream)
    assert chunks, "the answer streams in pieces"
    assert stream.answer is not None
    assert "".join(chunks) == stream.answer.answer
    follow = embedded.ask("And what was her address?", follow_up=True)
    assert follow.session_id == stream.answer.session_id


def test_analytics_and_dataframes(embedded, segments):
    call = embedded.submit_call(rep_id="rep_jordan", segments=segments)
    embedded.wait_for_call(call.call_id, timeout=60)
    perf = embedded.performance()
    assert perf.total_calls == 1
    assert perf.scope == "company"
    reps = embedded.rep_performance(limit=10)
    assert [r.rep_id for r in reps.reps] == ["rep_jordan"]
    objections = embedded.objection_analytics(date_range="2000-01-01..")
    assert objections.objection_frequency.to_dict().get("price") == 1
    leads = embedded.lead_analytics()
    assert leads.total == 1
    pandas = pytest.importorskip("pandas")
    frame = reps.to_dataframe()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame["rep_id"]) == ["rep_jordan"]
    assert len(perf.to_dataframe()) == 1


def test_documents_are_searchable(embedded):
    text = (
        b"# Financing policy\n\nPeak Roofing offers 0% financing for 18 months on any roof replacement over $8,000. "
        b"Reps must mention financing whenever a customer raises price."
    )
    doc = embedded.ingest_document("financing.md", text, document_type="policy")
    assert isinstance(doc, otto.Document)
    ready = embedded.wait_for_document(doc.document_id, timeout=60)
    assert ready.status == "indexed"
    assert ready.chunks_created >= 1
    answer = embedded.ask("How many months of financing do we offer?")
    assert any(c.source_id == doc.document_id for c in answer.citations), answer.to_dict()


def test_typed_errors(embedded, tmp_path):
    with pytest.raises(otto.NotFoundError) as e:
        embedded.call("no_such_call")
    assert e.value.code == "not_found"
    with pytest.raises(otto.InvalidInputError) as e:
        embedded.submit_call(rep_channel=7)
    assert "rep_channel" in str(e.value)
    with pytest.raises(otto.InvalidInputError):
        embedded.ingest_document("notes.txt", b"x", document_type="gossip")
    with pytest.raises(otto.InvalidInputError):
        embedded.performance(date_range="last week")
    with pytest.raises(otto.OttoError):
        otto.Otto.open(tmp_path / "x", company_id="acme", user_id="u1", role="janitor")
    with pytest.raises(AttributeError, match="fields"):
        embedded.performance().no_such_field  # noqa: B018


def test_a_rep_sees_only_their_own_calls(tmp_path, segments):
    data = tmp_path / "shared"
    with otto.Otto.open(data, company_id="acme", user_id="mgr_1") as manager:
        theirs = manager.submit_call(rep_id="rep_other", segments=segments)
        manager.wait_for_call(theirs.call_id, timeout=60)
    with otto.Otto.open(data, company_id="acme", user_id="rep_me", role="sales_rep") as rep:
        with pytest.raises(otto.NotFoundError):
            rep.call(theirs.call_id)
        assert rep.performance().scope == "own"
        assert rep.performance().total_calls == 0


def test_blocking_calls_release_the_gil(embedded, segments):
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.005)

    t = threading.Thread(target=ticker)
    t.start()
    try:
        call = embedded.submit_call(segments=segments)
        embedded.wait_for_call(call.call_id, timeout=60)
    finally:
        stop.set()
        t.join()
    assert len(ticks) > 3, "another Python thread ran while Otto worked"
