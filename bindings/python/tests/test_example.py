"""The example in examples/python runs as written (embedded mode, no network)."""

import pathlib
import runpy

EXAMPLE = pathlib.Path(__file__).resolve().parents[3] / "examples" / "python" / "quickstart.py"


def test_quickstart_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("OTTO_EXAMPLE_DATA", str(tmp_path / "data"))
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    out = capsys.readouterr().out
    assert "objections:" in out and "answer:" in out
