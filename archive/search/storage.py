"""The index directory on disk: generations, the CURRENT pointer, the info and manifest files.

Layout of the index root (e.g. ``<data dir>/search``)::

    CURRENT                  name of the live generation ("gen-000003"), replaced atomically
    REBUILD.lock             OS lock held while a rebuild runs (one rebuild at a time)
    gen-000003/              a complete Whoosh index
        legajo-index.json    schema version and creation time (written before the first commit)
        manifest.json        size and CRC-32 of each committed segment file (for verify)
        WRITER.json          pid/host of the last writer (diagnostics only)
        _MAIN_<n>.toc, MAIN_<segment>.seg, MAIN_WRITELOCK
    gen-000004.build/        a rebuild in progress; never read, removed if abandoned

A rebuild writes a new generation beside the live one, renames it into place and then replaces
CURRENT (``os.replace``: atomic on POSIX and Windows), so searches keep working on the old
generation until the new one is complete. Segment files are immutable once written (Whoosh keeps
deletions in the TOC), so a manifest entry never goes stale; the files whose names end in
``.seg`` or contain ``.toc`` are fsync'ed before Whoosh renames its TOC into place, so after a
power cut the TOC never points at data that did not reach the disk.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.util.filelock import FileLock

INDEX_NAME = "MAIN"
CURRENT = "CURRENT"
INFO_FILE = "legajo-index.json"
MANIFEST_FILE = "manifest.json"
OWNER_FILE = "WRITER.json"
REBUILD_LOCK = "REBUILD.lock"
_GEN = re.compile(r"^gen-(\d{6})$")
_BUILD_SUFFIX = ".build"
_TOC_TEMP = re.compile(rf"^_{INDEX_NAME}_\d+\.toc\..+$")


class DurableFileStorage(FileStorage):  # type: ignore[misc]
    """A Whoosh ``FileStorage`` that fsyncs segment and TOC files when they are closed, and
    reads without ``mmap``.

    Whoosh writes a segment, closes it, writes the TOC to a temporary file and renames it: the
    rename is the commit. Syncing on close makes the data durable before the rename.

    With ``mmap``, Whoosh opens each file inside a compound segment by copying it into a
    ``BytesIO``: every searcher opened after a commit copied the whole postings and terms
    (130 ms and ~100 MB per open at 200,000 records, measured). Plain reads cost the same per
    query and open in ~1 ms.
    """

    def __init__(self, path: str) -> None:
        super().__init__(path, supports_mmap=False)

    def create_file(self, name: str, excl: bool = False, mode: str = "wb", **kwargs: Any) -> Any:
        f = super().create_file(name, excl=excl, mode=mode, **kwargs)
        if name.endswith(".seg") or ".toc" in name:
            f.onclose = _fsync_on_close
        return f

    def rename_file(self, oldname: str, newname: str, safe: bool = False) -> None:
        super().rename_file(oldname, newname, safe=safe)
        fsync_dir(Path(self.folder))


def _fsync_on_close(f: StructFile) -> None:
    f.file.flush()
    os.fsync(f.file.fileno())


def fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable (a no-op where directories cannot be opened)."""
    if os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json_atomic(path: Path, data: dict[str, Any], *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file and ``os.replace``."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, sort_keys=True)
        if durable:
            f.flush()
            os.fsync(f.fileno())
    os.replace(tmp, path)
    if durable:
        fsync_dir(path.parent)


def read_json(path: Path) -> dict[str, Any] | None:
    """The JSON object in ``path``; None when missing or unreadable."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def file_crc(path: Path, chunk: int = 1 << 20) -> int:
    crc = 0
    with open(path, "rb") as f:
        while block := f.read(chunk):
            crc = zlib.crc32(block, crc)
    return crc


class IndexRoot:
    """The index root directory and its generations."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def current_generation(self) -> Path | None:
        """The live generation directory named by CURRENT, or None (missing or dangling)."""
        try:
            name = (self.root / CURRENT).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        if not _GEN.match(name):
            return None
        path = self.root / name
        return path if path.is_dir() else None

    def pointer_stamp(self) -> tuple[int, int] | None:
        """A cheap token that changes when CURRENT is replaced (inode/mtime)."""
        try:
            st = os.stat(self.root / CURRENT)
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def new_build_dir(self) -> Path:
        """Create and return the directory for a new generation (``gen-N.build``)."""
        self.root.mkdir(parents=True, exist_ok=True)
        numbers = [0]
        for entry in self.root.iterdir():
            match = _GEN.match(entry.name.removesuffix(_BUILD_SUFFIX))
            if match:
                numbers.append(int(match.group(1)))
        path = self.root / f"gen-{max(numbers) + 1:06d}{_BUILD_SUFFIX}"
        path.mkdir()
        return path

    def publish(self, build_dir: Path) -> Path:
        """Rename a finished build into place and point CURRENT at it (the atomic swap)."""
        final = build_dir.with_name(build_dir.name.removesuffix(_BUILD_SUFFIX))
        os.replace(build_dir, final)
        fsync_dir(self.root)
        tmp = self.root / f"{CURRENT}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="ascii") as f:
            f.write(final.name + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.root / CURRENT)
        fsync_dir(self.root)
        return final

    @contextlib.contextmanager
    def rebuild_lock(self, timeout: float) -> Iterator[bool]:
        """Hold the root's rebuild lock; yields False when another process holds it."""
        self.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.root / REBUILD_LOCK))
        deadline = time.monotonic() + timeout
        acquired = lock.acquire(blocking=False)
        while not acquired and time.monotonic() < deadline:
            time.sleep(0.05)
            acquired = lock.acquire(blocking=False)
        try:
            yield bool(acquired)
        finally:
            if acquired:
                lock.release()

    def remove_stale(self, keep: Path | None) -> None:
        """Remove generations other than ``keep`` and abandoned builds (call while holding the
        rebuild lock). Files still open elsewhere (Windows) are left for a later call."""
        if not self.root.is_dir():
            return
        for entry in self.root.iterdir():
            if keep is not None and entry.name == keep.name:
                continue
            stale_build = entry.name.endswith(_BUILD_SUFFIX) and _GEN.match(
                entry.name.removesuffix(_BUILD_SUFFIX)
            )
            if entry.is_dir() and (_GEN.match(entry.name) or stale_build):
                shutil.rmtree(entry, ignore_errors=True)
            elif entry.name.startswith(f"{CURRENT}.") and entry.name.endswith(".tmp"):
                with contextlib.suppress(OSError):
                    entry.unlink()


def write_owner(gen_dir: Path) -> None:
    """Record who holds the writer lock (read back for error messages)."""
    data = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}
    with contextlib.suppress(OSError):
        write_json_atomic(gen_dir / OWNER_FILE, data, durable=False)


def read_owner(gen_dir: Path) -> dict[str, Any]:
    return read_json(gen_dir / OWNER_FILE) or {}


def remove_toc_temps(gen_dir: Path) -> None:
    """Remove TOC temporaries left by a writer killed mid-commit (call holding the lock)."""
    for entry in gen_dir.iterdir():
        if _TOC_TEMP.match(entry.name):
            with contextlib.suppress(OSError):
                entry.unlink()


def segment_files(gen_dir: Path, segment_ids: set[str]) -> dict[str, Path]:
    """The files on disk of the given segments (``MAIN_<segid>.*``), by name."""
    out: dict[str, Path] = {}
    for entry in gen_dir.iterdir():
        stem = entry.name.split(".", 1)[0]
        if stem in segment_ids:
            out[entry.name] = entry
    return out


def update_manifest(gen_dir: Path, segment_ids: set[str]) -> None:
    """Record size and CRC of the current segment files; entries of gone files are dropped,
    known files are not re-read (segment files never change)."""
    path = gen_dir / MANIFEST_FILE
    old = (read_json(path) or {}).get("files", {})
    files: dict[str, list[int]] = {}
    for name, file in segment_files(gen_dir, segment_ids).items():
        size = file.stat().st_size
        known = old.get(name)
        if isinstance(known, list) and len(known) == 2 and known[0] == size:
            files[name] = known
        else:
            files[name] = [size, file_crc(file)]
    write_json_atomic(path, {"files": files}, durable=False)


def check_manifest(gen_dir: Path, segment_ids: set[str], *, deep: bool) -> str | None:
    """Compare the segment files with the manifest; a description of the first problem, or
    None. Files written after the last manifest update are not checked (not known bad)."""
    manifest = (read_json(gen_dir / MANIFEST_FILE) or {}).get("files", {})
    on_disk = segment_files(gen_dir, segment_ids)
    for segid in segment_ids:
        if not any(name.split(".", 1)[0] == segid for name in on_disk):
            return f"segment {segid} has no files"
    for name, file in on_disk.items():
        known = manifest.get(name)
        if not isinstance(known, list) or len(known) != 2:
            continue
        size = file.stat().st_size
        if size != known[0]:
            return f"{name}: size {size}, expected {known[0]}"
        if deep and file_crc(file) != known[1]:
            return f"{name}: checksum mismatch"
    return None
