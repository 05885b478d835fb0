"""Crash safety of the search index: killed writers, stale locks, damaged files."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from archive.search.errors import SearchIndexLocked, SearchIndexUnavailable
from archive.search.port import HealthState, SearchDoc
from archive.search.whoosh_index import WhooshSearchIndex

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(os.name == "nt", reason="uses SIGKILL")


def doc(doc_id: str, title: str, body: str = "") -> SearchDoc:
    return SearchDoc(doc_id, "expediente", title, f"X-{doc_id}", body, {"year": 2020})


def spawn(script: str, *args: str) -> subprocess.Popen[str]:
    code = f"import sys\nsys.path.insert(0, {str(REPO)!r})\n" + textwrap.dedent(script)
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_line(proc: subprocess.Popen[str], prefix: str, timeout: float = 30.0) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith(prefix):
            return line
        if not line and proc.poll() is not None:
            err = proc.stderr.read() if proc.stderr else ""
            raise AssertionError(f"child exited {proc.returncode}: {err}")
    raise AssertionError(f"no {prefix!r} from child")


def kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


def test_writer_lock_of_a_killed_process_does_not_block(tmp_path: Path) -> None:
    root = tmp_path / "search"
    index = WhooshSearchIndex(root, lock_timeout=0.3)
    index.rebuild([doc("a", "Antes")], cursor=1)
    child = spawn(
        """
        import time
        from archive.search.whoosh_index import WhooshSearchIndex
        index = WhooshSearchIndex(sys.argv[1])
        with index._writing() as writer:
            print("LOCKED", flush=True)
            time.sleep(60)
        """,
        str(root),
    )
    try:
        wait_for_line(child, "LOCKED")
        health = index.verify()
        assert health.state is HealthState.LOCKED and str(child.pid) in health.detail
        with pytest.raises(SearchIndexLocked) as raised:
            index.update([doc("b", "Durante")])
        assert str(child.pid) in raised.value.params["owner"]
    finally:
        kill(child)
    gen = root / "CURRENT"
    lock_file = root / gen.read_text().strip() / "MAIN_WRITELOCK"
    assert lock_file.exists()  # the lock file stays behind; the OS lock died with the process
    index.update([doc("b", "Después")], cursor=2)
    assert index.verify().state is HealthState.OK
    assert [h.id for h in index.type_ahead("despu").hits] == ["b"]
    index.close()


def test_cursor_is_never_ahead_of_the_data_after_a_kill_mid_commit(tmp_path: Path) -> None:
    """A child commits batches of new records, each with its batch number as cursor; it is
    killed while Whoosh writes a segment. The stored cursor must match the records exactly."""
    root = tmp_path / "search"
    batch = 1500
    WhooshSearchIndex(root).rebuild([], cursor=0)
    child = spawn(
        """
        from whoosh.writing import SegmentWriter
        from archive.search.port import SearchDoc
        from archive.search.whoosh_index import WhooshSearchIndex

        original = SegmentWriter._finalize_segment
        def announce(self):
            print("FLUSH", flush=True)
            return original(self)
        SegmentWriter._finalize_segment = announce

        index = WhooshSearchIndex(sys.argv[1])
        size = int(sys.argv[2])
        for k in range(1, 1000):
            docs = [
                SearchDoc(f"b{k}-{i}", "expediente", f"Lote {k} registro {i}", f"L-{k}-{i}")
                for i in range(size)
            ]
            index.update(docs, cursor=k)
            print("COMMITTED", k, flush=True)
        """,
        str(root),
        str(batch),
    )
    try:
        wait_for_line(child, "COMMITTED")
        wait_for_line(child, "FLUSH")  # the second batch is being written
        time.sleep(random.uniform(0.0, 0.3))
    finally:
        kill(child)
    index = WhooshSearchIndex(root, lock_timeout=2.0)
    health = index.verify(deep=True)
    assert health.state is HealthState.OK, health.detail
    assert health.cursor is not None and health.cursor >= 1
    assert health.doc_count == health.cursor * batch
    index.update([doc("after", "Después del corte")], cursor=health.cursor + 1)
    assert index.verify().doc_count == health.cursor * batch + 1
    index.close()


def _segment_files(root: Path) -> list[Path]:
    gen = root / (root / "CURRENT").read_text().strip()
    return sorted(gen.glob("*.seg"), key=lambda p: p.stat().st_size, reverse=True)


def _toc(root: Path) -> Path:
    gen = root / (root / "CURRENT").read_text().strip()
    return next(gen.glob("_MAIN_*.toc"))


def _truncate(path: Path) -> None:
    with open(path, "r+b") as f:
        f.truncate(path.stat().st_size // 2)


def _garble(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.seek(size // 3)
        f.write(random.Random(1).randbytes(min(512, size // 3)))


def _garble_tail(path: Path) -> None:
    # The tail of a TOC is the pickled segment list (its head, the schema, is not read).
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.seek(size - 64)
        f.write(bytes(64))


def _delete(path: Path) -> None:
    path.unlink()


@pytest.mark.parametrize(
    ("damage", "target", "deep", "drop_manifest"),
    [
        (_truncate, "segment", False, False),
        (_truncate, "segment", False, True),  # found by reading, without the manifest
        (_garble, "segment", True, False),  # same size: only the checksum tells
        (_delete, "segment", False, False),
        (_garble_tail, "toc", False, False),
        (_delete, "toc", False, False),
    ],
)
def test_damaged_files_are_reported_corrupt_and_rebuild_fixes_them(
    tmp_path: Path, damage: object, target: str, deep: bool, drop_manifest: bool
) -> None:
    root = tmp_path / "search"
    index = WhooshSearchIndex(root)
    docs = [doc(f"d{i}", f"Historia laboral {i}", "notas " * 20) for i in range(300)]
    index.rebuild(docs, cursor=3)
    index.update([doc("u1", "Actualizado")], cursor=4)
    assert index.verify(deep=True).state is HealthState.OK
    index.close()
    path = _segment_files(root)[0] if target == "segment" else _toc(root)
    if drop_manifest:
        (path.parent / "manifest.json").unlink()
    damage(path)  # type: ignore[operator]

    damaged = WhooshSearchIndex(root)
    health = damaged.verify(deep=deep)
    assert health.state is HealthState.CORRUPT and health.needs_rebuild, health
    if target == "toc" or damage is _truncate:
        with pytest.raises(SearchIndexUnavailable):
            damaged.search("historia")
    damaged.rebuild(docs, cursor=3)
    assert damaged.verify(deep=True).state is HealthState.OK
    assert damaged.search("historia", limit=5).hits
    damaged.close()


def test_half_written_generations_are_ignored_and_cleaned(tmp_path: Path) -> None:
    root = tmp_path / "search"
    index = WhooshSearchIndex(root)
    index.rebuild([doc("a", "Antes")])
    abandoned = root / "gen-000007.build"
    abandoned.mkdir()
    (abandoned / "MAIN_x.seg").write_bytes(b"half")
    assert index.verify().state is HealthState.OK
    (root / "CURRENT").write_text("gen-000099\n")
    assert WhooshSearchIndex(root).verify().state is HealthState.MISSING
    index.rebuild([doc("b", "Después")])
    assert not abandoned.exists()
    assert index.verify().state is HealthState.OK and index.verify().doc_count == 1
    index.close()
