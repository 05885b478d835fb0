"""How the CLI talks: translated text or JSON on stdout, errors on stderr, progress on a TTY."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from typing import Any

from archive.domain.errors import ImportFileError, LegajoError
from archive.domain.timefmt import format_date, format_datetime
from archive.i18n import _, render_error, render_problem


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(value)
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return str(value)


def emit_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=_default))


def emit_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain aligned table (translated headers; dates dd/mm/aaaa)."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("sí") if value else _("no")
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    return str(value)


def report_error(error: LegajoError, as_json: bool) -> int:
    if as_json:
        emit_json(error.as_dict() | {"message": render_error(error)})
    else:
        print(_("Error: {message}").format(message=render_error(error)), file=sys.stderr)
        if isinstance(error, ImportFileError):
            for problem in error.problems:
                print("  " + render_problem(problem), file=sys.stderr)
    return error.exit_code


class TtyProgress:
    """``progress(done, total, label)`` printing one updating line on a terminal, else nothing."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last = 0.0

    def __call__(self, done: int, total: int, label: str) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.2 and done < total:
            return
        self._last = now
        pct = f"{100 * done / total:5.1f} %" if total else ""
        self.stream.write(f"\r{_(label) if label else ''} {done:,}/{total:,} {pct}".replace(",", "."))
        if total and done >= total:
            self.stream.write("\n")
        self.stream.flush()
