"""Writing tables to CSV and XLSX for people to open in Excel, safely.

Every text cell that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``,
``@``, TAB or CR — OWASP's CSV-injection list) is prefixed with an apostrophe, so a value typed
by one user can never run as a formula on an auditor's machine.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from archive.domain.errors import ValidationError
from archive.domain.progress import Cancelled, JobCancelled, Progress, never_cancelled, no_progress
from archive.domain.timefmt import format_date, format_datetime
from archive.i18n import N_

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value: Any) -> Any:
    """A cell value that no spreadsheet will evaluate as a formula."""
    if isinstance(value, datetime):
        return format_datetime(value, seconds=True)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_rows(
    path: Path,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    total: int = 0,
    sheet_title: str = "Legajo",
    progress: Progress = no_progress,
    cancelled: Cancelled = never_cancelled,
) -> int:
    """Write ``rows`` to ``path`` (.csv or .xlsx by suffix); returns the number of rows.

    CSV is UTF-8 with BOM and ``;`` separators (what Excel es-CO opens correctly by double
    click). The file is written beside the target and renamed at the end, so a cancelled or
    failed export never leaves a half-written file under the requested name.
    """
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".xlsx"}:
        raise ValidationError(
            "export.format",
            N_("Formato de exportación no soportado: «{suffix}». Use .csv o .xlsx."),
            suffix=suffix,
        )
    tmp = path.with_name(path.name + ".part")
    count = 0
    try:
        if suffix == ".csv":
            with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh, delimiter=";")
                writer.writerow([neutralise(h) for h in headers])
                for row in rows:
                    writer.writerow([neutralise(v) for v in row])
                    count += 1
                    _tick(count, total, progress, cancelled)
        else:
            from openpyxl import Workbook

            wb = Workbook(write_only=True)
            ws = wb.create_sheet(sheet_title[:31])
            ws.append([neutralise(h) for h in headers])
            for row in rows:
                ws.append([neutralise(v) for v in row])
                count += 1
                _tick(count, total, progress, cancelled)
            wb.save(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    progress(count, total or count, "")
    return count


def _tick(count: int, total: int, progress: Progress, cancelled: Cancelled) -> None:
    if count % 1000 == 0:
        if cancelled():
            raise JobCancelled()
        progress(count, total, "")


def export_sheets(path: Path, sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]]) -> None:
    """Several tables in one XLSX (a sheet each), or one CSV with a title row per table."""
    tmp = path.with_name(path.name + ".part")
    try:
        if path.suffix.lower() == ".xlsx":
            from openpyxl import Workbook

            wb = Workbook(write_only=True)
            for title, headers, rows in sheets:
                ws = wb.create_sheet(_sheet_title(title))
                ws.append([neutralise(h) for h in headers])
                for row in rows:
                    ws.append([neutralise(v) for v in row])
            wb.save(tmp)
        elif path.suffix.lower() == ".csv":
            with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh, delimiter=";")
                for title, headers, rows in sheets:
                    writer.writerow([neutralise(title)])
                    writer.writerow([neutralise(h) for h in headers])
                    writer.writerows([neutralise(v) for v in row] for row in rows)
                    writer.writerow([])
        else:
            raise ValidationError(
                "export.format",
                N_("Formato de exportación no soportado: «{suffix}». Use .csv o .xlsx."),
                suffix=path.suffix.lower(),
            )
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def _sheet_title(title: str) -> str:
    for ch in "[]:*?/\\":
        title = title.replace(ch, " ")
    return title[:31]
