"""The plain progress protocol of long jobs (DESIGN.md §6, STYLE.md 8).

Core functions take ``progress(done, total, label)`` and ``cancelled()`` callables. The GUI wires
them to a delayed progress dialog with a Cancel button; the CLI to a line on a TTY.
"""

from __future__ import annotations

from collections.abc import Callable

from archive.domain.errors import LegajoError
from archive.i18n import N_

Progress = Callable[[int, int, str], None]
Cancelled = Callable[[], bool]


def no_progress(done: int, total: int, label: str) -> None:
    """A progress callback that ignores everything."""


def never_cancelled() -> bool:
    return False


class JobCancelled(LegajoError):
    """Raised by a long job that saw ``cancelled()`` turn true; its transaction is rolled back."""

    exit_code = 3

    def __init__(self) -> None:
        super().__init__("job.cancelled", N_("Operación cancelada; no se guardó ningún cambio."))
