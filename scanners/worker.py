"""Decoding files in a separate process, so a native decoder crash cannot take the app down.

zbar (and, less often, image codecs) can crash or hang on malformed files. Files that come from
outside (folders, imports, attachments) are decoded by :class:`DecodeWorker`: one long-lived
child process started with ``spawn``, fed one file at a time through a pipe, given a timeout per
file. When the child dies or overruns, the file is reported as failed, the child is replaced,
and the next file goes on.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import TracebackType
from typing import Any

from archive.domain.errors import LegajoError
from scanners.decode import Decoded

#: Seconds a single file may take before the worker is killed and the file reported.
FILE_TIMEOUT_S = 60.0

DecodeFunc = Callable[[Path], list[Decoded]]


@dataclass(frozen=True)
class FileOutcome:
    """What decoding one file gave.

    Attributes:
        path: the file.
        found: confirmed barcodes (empty when none, or on error).
        error: ``None`` on success; else a short reason: ``"crash"`` (the decoder process died),
            ``"timeout"``, or the rendered message of a readable-file error.
        code: the error code (``"decode.crash"``, ``"decode.timeout"``, ``"decode.unreadable"``...).
    """

    path: Path
    found: list[Decoded] = field(default_factory=list)
    error: str | None = None
    code: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _default_decode(path: Path) -> list[Decoded]:
    from scanners.decode import decode_file

    return decode_file(path)


def _serve(conn: Connection, func: DecodeFunc) -> None:
    """Child main loop: read a path, answer ``("ok", found)`` or ``("error", code, text)``."""
    while True:
        try:
            item = conn.recv()
        except EOFError:
            return
        if item is None:
            return
        try:
            conn.send(("ok", func(Path(item))))
        except LegajoError as exc:
            conn.send(("error", exc.code, exc.untranslated()))
        except Exception as exc:
            conn.send(("error", "decode.failed", f"{type(exc).__name__}: {exc}"))


class DecodeWorker:
    """A decoding child process; use as a context manager.

    Args:
        func: the per-file function run in the child (module-level, picklable); the default
            is :func:`scanners.decode.decode_file`.
        timeout: seconds per file.
    """

    def __init__(self, func: DecodeFunc | None = None, timeout: float = FILE_TIMEOUT_S) -> None:
        self._func = func or _default_decode
        self._timeout = timeout
        self._ctx = mp.get_context("spawn")
        self._proc: BaseProcess | None = None
        self._conn: Connection | None = None
        self.restarts = 0

    def __enter__(self) -> DecodeWorker:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _start(self) -> tuple[BaseProcess, Connection]:
        if self._proc is None or self._conn is None or not self._proc.is_alive():
            parent, child = self._ctx.Pipe()
            proc = self._ctx.Process(
                target=_serve, args=(child, self._func), daemon=True, name="legajo-decode"
            )
            proc.start()
            child.close()
            self._proc, self._conn = proc, parent
        return self._proc, self._conn

    def _kill(self) -> None:
        if self._proc is not None:
            if self._proc.is_alive():
                self._proc.kill()
            self._proc.join(5)
        if self._conn is not None:
            self._conn.close()
        self._proc = self._conn = None
        self.restarts += 1

    def decode(self, path: Path) -> FileOutcome:
        """Decode one file in the child; never raises for a bad file."""
        _proc, conn = self._start()
        try:
            conn.send(str(path))
            if conn.poll(self._timeout):
                answer: Any = conn.recv()
            else:
                self._kill()
                return FileOutcome(path, error="timeout", code="decode.timeout")
        except (EOFError, OSError, BrokenPipeError):
            self._kill()
            return FileOutcome(path, error="crash", code="decode.crash")
        if answer[0] == "ok":
            return FileOutcome(path, found=list(answer[1]))
        return FileOutcome(path, error=str(answer[2]), code=str(answer[1]))

    def close(self) -> None:
        """Stop the child (politely, then by force)."""
        if self._conn is not None and self._proc is not None and self._proc.is_alive():
            with contextlib.suppress(OSError):
                self._conn.send(None)
            self._proc.join(2)
        if self._proc is not None and self._proc.is_alive():
            self._proc.kill()
            self._proc.join(5)
        if self._conn is not None:
            self._conn.close()
        self._proc = self._conn = None


def decode_files(
    paths: Iterable[Path],
    *,
    timeout: float = FILE_TIMEOUT_S,
    func: DecodeFunc | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Iterator[FileOutcome]:
    """Decode ``paths`` one by one in a worker process, yielding each outcome as it comes."""
    with DecodeWorker(func, timeout) as worker:
        for path in paths:
            if cancelled is not None and cancelled():
                return
            yield worker.decode(path)
