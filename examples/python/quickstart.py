"""Otto from Python, notebook style: run cell by cell or as a script.

    pip install otto[pandas]    # or: pip install bindings/python (maturin builds the wheel)
    python examples/python/quickstart.py

Embedded mode keeps everything on a local data directory: no server, no account, no network.
Swap `otto.Otto.open(...)` for `otto.Otto.connect(base_url, token=..., company_id=...)` to run
the same code against an Otto server.
"""

# %% Open Otto on a data directory, acting as a manager of "acme".
import os
import tempfile

import otto

data_dir = os.environ.get("OTTO_EXAMPLE_DATA") or tempfile.mkdtemp(prefix="otto-")
o = otto.Otto.open(data_dir, company_id="acme", user_id="mgr_1", role="manager")

# %% Submit a call with a ready transcript (from your phone system or CRM).
turns = [
    ("rep", "Thanks for calling Peak Roofing, this is Jordan."),
    ("customer", "Hi, I'm Maria Lopez. There's a leak over my kitchen and I need the roof looked at."),
    ("rep", "Sorry to hear it. We can do a free inspection and a written estimate."),
    ("customer", "I'm worried it'll be too expensive, the last quote was more than we can afford."),
    ("rep", "We offer financing with low monthly payments, and the inspection itself is free."),
    ("customer", "Okay. Thursday at 4 works for us."),
    ("rep", "You're booked for Thursday at 4 pm. Thanks, Maria!"),
]
segments = [
    {"speaker": s, "text": t, "start_time": i * 5.0, "end_time": i * 5.0 + 4.5} for i, (s, t) in enumerate(turns)
]
call = o.submit_call(rep_id="rep_jordan", call_type="csr_inbound", segments=segments)
call = o.wait_for_call(call.call_id, timeout=60)
print("call:", call.call_id, call.status)

# %% What did the customer push back on, and was it handled?
for x in o.objections(call.call_id).objections:
    print("objections:", x.objection_type, "handled" if x.handled else "open", "-", x.objection_text)

# %% Ask Otto, streaming the answer as it is written.
stream = o.ask_stream("What objections did Maria Lopez raise?")
print("answer:", "".join(stream))
for c in stream.answer.citations:
    print("  source:", c.source, c.excerpt[:60])

# %% Analytics as DataFrames (when pandas is installed).
print("performance:", o.performance().to_dict())
try:
    print(o.rep_performance().to_dataframe()[["rep_id", "calls_handled", "conversion_rate"]])
except ImportError:
    print("install pandas for DataFrames")

o.close()
