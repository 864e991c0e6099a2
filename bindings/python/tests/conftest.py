"""Shared fixtures: a realistic transcript, an embedded Otto, and a running Otto server."""

import os
import re
import secrets
import socket
import subprocess
import time

import pytest

import otto

# A short inbound roofing call: a price objection the rep handles, a spouse objection, and a
# booked appointment. Written for these tests, not taken from the eval sets.
SEGMENTS = [
    ("rep", "Thanks for calling Peak Roofing, this is Jordan. How can I help?"),
    ("customer", "Hi, this is Maria Lopez. We have a leak over the kitchen after the storm and I need someone to look at the roof."),
    ("rep", "I'm sorry to hear that. Is this a home you own, and what's the address?"),
    ("customer", "Yes, we own it. It's 212 Birch Lane."),
    ("rep", "Got it. We can send an inspector out for a free inspection and a written estimate."),
    ("customer", "Honestly I'm worried it's going to be too expensive. The last quote we got was way more than we can afford."),
    ("rep", "I understand. The inspection is free, and we offer financing with low monthly payments, so you can see the real number before deciding anything."),
    ("customer", "Okay, that helps. But I need to talk to my husband before we commit to anything."),
    ("rep", "Of course. Would Thursday at 4 pm work so you can both be there when the inspector comes?"),
    ("customer", "Thursday at 4 works. See you then."),
    ("rep", "Great, you're booked for Thursday at 4 pm at 212 Birch Lane. Thanks, Maria!"),
]


def transcript(segments=SEGMENTS):
    out, t = [], 0.0
    for speaker, text in segments:
        length = max(2.0, len(text.split()) * 0.35)
        out.append({"speaker": speaker, "text": text, "start_time": round(t, 2), "end_time": round(t + length, 2)})
        t += length + 0.3
    return out


@pytest.fixture
def segments():
    return transcript()


@pytest.fixture
def embedded(tmp_path):
    with otto.Otto.open(tmp_path / "data", company_id="acme", user_id="mgr_1", role="manager") as o:
        yield o


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """An `otto serve` on a fresh data dir; OTTO_BIN names the binary (CI sets it)."""
    binary = os.environ.get("OTTO_BIN")
    if not binary:
        pytest.skip("OTTO_BIN is not set: remote tests need a built `otto` binary")
    data = tmp_path_factory.mktemp("server")
    env = dict(os.environ, OTTO_DATA_DIR=str(data), OTTO_JWT_SECRET=secrets.token_hex(32), OTTO_LOG="warn")
    port = _free_port()
    proc = subprocess.Popen(
        [binary, "serve", "--addr", f"127.0.0.1:{port}"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = None
    deadline = time.time() + 60
    while time.time() < deadline and base is None:
        line = proc.stdout.readline()
        m = re.search(r"listening on (http://\S+)", line or "")
        if m:
            base = m.group(1)
        elif proc.poll() is not None:
            raise RuntimeError(f"otto serve exited: {proc.stdout.read()}")

    def token(user, role, company="acme"):
        out = subprocess.run(
            [binary, "token", "--company", company, "--user", user, "--role", role],
            env=env, check=True, capture_output=True, text=True,
        )
        return out.stdout.strip().splitlines()[-1]

    yield {"base_url": base, "token": token}
    proc.terminate()
    proc.wait(timeout=30)
