"""The decoding worker process: a native crash or a hang costs one file, never the caller."""

from __future__ import annotations

import os
import time
from pathlib import Path

from scanners.decode import Decoded
from scanners.worker import DecodeWorker, decode_files

SAMPLE = Path(__file__).parents[1] / "samples" / "decode" / "files" / "label-expediente--clean.png"


def crashy(path: Path) -> list[Decoded]:
    """Stands in for zbar on a malformed file: dies like a segfault would."""
    if "crash" in path.name:
        os.abort()
    if "hang" in path.name:
        time.sleep(60)
    from scanners.decode import decode_file

    return decode_file(path)


def test_crash_and_timeout_are_reported_and_the_rest_goes_on(tmp_path: Path) -> None:
    crash = tmp_path / "crash.png"
    hang = tmp_path / "hang.png"
    for p in (crash, hang):
        p.write_bytes(b"x")
    outcomes = list(decode_files([SAMPLE, crash, SAMPLE, hang, SAMPLE], timeout=8, func=crashy))
    assert [o.code for o in outcomes] == [None, "decode.crash", None, "decode.timeout", None]
    assert [o.found[0].value for o in outcomes if o.ok] == ["E0A100000042S"] * 3
    assert outcomes[1].path == crash and not outcomes[1].ok


def test_unreadable_file_is_an_error_outcome(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8garbage")
    with DecodeWorker() as worker:
        out = worker.decode(bad)
        assert out.code == "decode.unreadable" and "bad.jpg" in (out.error or "")
        assert worker.decode(SAMPLE).found[0].value == "E0A100000042S"
        assert worker.restarts == 0
