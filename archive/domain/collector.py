"""Data-collector (handheld terminal) batch files: format profiles and row-level parsing (pure).

It lives in the domain so the import service (archive/services/capture.py) can use it without
importing scanners/ (layering); ``scanners.collector`` re-exports it for device-side code.

A collector stores scans offline and unloads a text file: delimited (``;``, ``,``, tab) or fixed
width. A :class:`Profile` says where each field is. :func:`parse_collector_file` turns the bytes
into :class:`CollectorRecord` rows plus a :class:`~archive.domain.errors.RowProblem` per bad row
(file, row, field, reason), so a clerk can fix the file or import only what is good. Pure: no
database; replay is ``archive.services.capture``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from archive.domain.barcodes import (
    looks_like_legajo_barcode,
    normalize_scan,
    parse_barcode,
    validate_external_barcode,
)
from archive.domain.errors import RowProblem, ValidationError
from archive.i18n import N_

LOCAL_TZ = ZoneInfo("America/Bogota")
FIELDS = ("barcode", "fecha", "hora", "fecha_hora", "operacion", "ubicacion", "operador")
#: Operations a line may carry (codes as collectors send them -> ours).
DEFAULT_OPERATIONS = {"MOV": "move", "M": "move", "TRA": "move", "CNT": "count", "C": "count",
                      "INV": "count", "REC": "reception", "R": "reception"}  # fmt: skip


@dataclass(frozen=True)
class Profile:
    """How a collector lays out its file.

    Attributes:
        name: stable id (``"csv-basico"``).
        kind: ``"delimited"`` or ``"fixed"``.
        fields: delimited: field names in column order (``""`` skips a column).
        widths: fixed: ``(name, start, length)`` with ``start`` 0-based.
        delimiter: delimited only.
        header: the first line is a header to skip.
        date_format / time_format: ``strptime`` formats of ``fecha`` / ``hora``; ``fecha_hora``
            uses ``date_format + " " + time_format``.
        operations: operation code -> ``move`` | ``count`` | ``reception``.
        default_operation: used when the file has no ``operacion`` field.
    """

    name: str
    kind: str
    fields: tuple[str, ...] = ()
    widths: tuple[tuple[str, int, int], ...] = ()
    delimiter: str = ";"
    header: bool = False
    date_format: str = "%d/%m/%Y"
    time_format: str = "%H:%M:%S"
    operations: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_OPERATIONS))
    default_operation: str = "move"

    def to_json(self) -> str:
        data = asdict(self)
        data["operations"] = dict(self.operations)
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Profile:
        """Build and validate a profile from its JSON (as stored in ``collector_profile``)."""
        try:
            data: dict[str, Any] = json.loads(text)
            profile = cls(
                name=str(data["name"]), kind=str(data["kind"]),
                fields=tuple(data.get("fields", ())),
                widths=tuple((str(n), int(s), int(w)) for n, s, w in data.get("widths", ())),
                delimiter=str(data.get("delimiter", ";")), header=bool(data.get("header", False)),
                date_format=str(data.get("date_format", "%d/%m/%Y")),
                time_format=str(data.get("time_format", "%H:%M:%S")),
                operations=dict(data.get("operations", DEFAULT_OPERATIONS)),
                default_operation=str(data.get("default_operation", "move")),
            )  # fmt: skip
        except (ValueError, KeyError, TypeError) as exc:
            raise ValidationError(
                "collector.profile_json",
                N_("Perfil de colector inválido: {reason}"),
                reason=str(exc),
            ) from exc
        profile.validate()
        return profile

    def names(self) -> tuple[str, ...]:
        return self.fields if self.kind == "delimited" else tuple(n for n, _, _ in self.widths)

    def validate(self) -> None:
        """Raise ``ValidationError`` when the profile cannot work."""
        if self.kind not in ("delimited", "fixed"):
            raise ValidationError(
                "collector.profile_kind",
                N_("Tipo de perfil desconocido: {kind} (delimitado o ancho fijo)."),
                kind=self.kind,
            )
        names = [n for n in self.names() if n]
        unknown = sorted(set(names) - set(FIELDS))
        if unknown:
            raise ValidationError(
                "collector.profile_field",
                N_("Campo desconocido en el perfil: {field}."),
                field=", ".join(unknown),
            )
        if "barcode" not in names:
            raise ValidationError(
                "collector.profile_barcode",
                N_("El perfil {name} no tiene campo de código de barras."),
                name=self.name,
            )
        if self.kind == "delimited" and len(self.delimiter) != 1:
            raise ValidationError(
                "collector.profile_delimiter", N_("El separador debe ser un solo carácter.")
            )
        bad_ops = sorted(set(self.operations.values()) - {"move", "count", "reception"})
        if bad_ops:
            raise ValidationError(
                "collector.profile_operation",
                N_("Operación desconocida en el perfil: {op}."),
                op=", ".join(bad_ops),
            )


BUILTIN_PROFILES: dict[str, Profile] = {
    "csv-basico": Profile(
        "csv-basico",
        "delimited",
        fields=("barcode", "fecha", "hora", "operacion", "ubicacion"),
        delimiter=";",
    ),
    # 13 barcode | 14 yyyymmddHHMMSS | 3 op | 13 location | 6 operator  (49 columns)
    "ancho-fijo": Profile(
        "ancho-fijo",
        "fixed",
        widths=(
            ("barcode", 0, 13),
            ("fecha_hora", 13, 14),
            ("operacion", 27, 3),
            ("ubicacion", 30, 13),
            ("operador", 43, 6),
        ),
        date_format="%Y%m%d",
        time_format="%H%M%S",
    ),
}


class CollectorRecord(NamedTuple):
    """One valid line: what was scanned, when (UTC), what to do, where (a tuple: a file holds
    tens of thousands)."""

    row: int
    barcode: str
    at: datetime
    operation: str
    location: str
    operator: str
    line_hash: str


@dataclass
class ParsedFile:
    """Every valid record (in file order), every row problem, and the encoding used."""

    file: str
    encoding: str
    records: list[CollectorRecord] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    lines: int = 0


def decode_text(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM), else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _problem(row: int, name: str, code: str, template: str, **params: Any) -> RowProblem:
    return RowProblem(row=row, field=name, code=code, template=template, params=params)


def parse_collector_file(data: bytes, profile: Profile, file: str = "") -> ParsedFile:
    """Parse a whole collector file; never raises for bad rows (they become problems)."""
    text, encoding = decode_text(data)
    out = ParsedFile(file=file, encoding=encoding)
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if number == 1 and profile.header:
            continue
        if not line.strip():
            continue
        out.lines += 1
        parsed = parse_line(line, number, profile)
        if isinstance(parsed, CollectorRecord):
            out.records.append(parsed)
        else:
            out.problems.extend(parsed)
    return out


def _split(line: str, row: int, profile: Profile) -> dict[str, str] | list[RowProblem]:
    if profile.kind == "delimited":
        cells = line.split(profile.delimiter)
        if len(cells) < len(profile.fields):
            return [_problem(row, profile.fields[len(cells)], "collector.missing_fields",
                             N_("Faltan campos: se esperaban {expected} y la línea tiene {got} (¿archivo truncado?)."),
                             expected=len(profile.fields), got=len(cells))]  # fmt: skip
        if len(cells) > len(profile.fields):
            return [_problem(row, "", "collector.extra_fields",
                             N_("La línea tiene {got} campos; el perfil espera {expected}. ¿Separador equivocado?"),
                             expected=len(profile.fields), got=len(cells))]  # fmt: skip
        return {n: c.strip() for n, c in zip(profile.fields, cells, strict=True) if n}
    # Trailing padding may have been trimmed by an editor; a field that does not even start is missing.
    missing = [n for n, start, _ in profile.widths if start >= len(line)]
    if missing:
        needed = max(start + width for _, start, width in profile.widths)
        return [_problem(row, missing[0], "collector.short_line",
                         N_("Línea de {got} caracteres; el perfil de ancho fijo necesita {expected} (¿archivo truncado?)."),
                         got=len(line), expected=needed)]  # fmt: skip
    return {n: line[s : s + w].strip() for n, s, w in profile.widths}


_GARBAGE = re.compile("[\x00-\x08\x0a-\x1f\x7f\ufffd]")


def parse_line(line: str, row: int, profile: Profile) -> CollectorRecord | list[RowProblem]:
    """One line as a record, or the problems that stop it."""
    if _GARBAGE.search(line):
        return [_problem(row, "", "collector.garbage",
                         N_("La línea contiene caracteres ilegibles (¿codificación equivocada o archivo dañado?)."))]  # fmt: skip
    cells = _split(line, row, profile)
    if isinstance(cells, list):
        return cells
    problems: list[RowProblem] = []
    barcode, bad = _check_code(cells.get("barcode", ""))
    if not barcode:
        problems.append(
            _problem(row, "barcode", "collector.barcode_empty", N_("Código de barras vacío."))
        )
    elif bad is not None:
        problems.append(_problem(row, "barcode", bad.code, bad.template, **bad.params))
    at = _timestamp(cells, row, profile, problems)
    op_code = cells.get("operacion", "").upper()
    operation = profile.operations.get(op_code) if op_code else profile.default_operation
    if operation is None:
        problems.append(_problem(row, "operacion", "collector.operation",
                                 N_("Operación desconocida: «{op}» (válidas: {valid})."),
                                 op=op_code, valid=", ".join(sorted(profile.operations))))  # fmt: skip
    location, bad = _check_code(cells.get("ubicacion", ""))
    if operation in ("move", "count") and not location:
        problems.append(_problem(row, "ubicacion", "collector.location_missing",
                                 N_("La operación necesita una ubicación y está vacía.")))  # fmt: skip
    elif bad is not None:
        problems.append(_problem(row, "ubicacion", bad.code, bad.template, **bad.params))
    if problems or at is None or operation is None:
        return problems
    digest = hashlib.sha256(f"{profile.name}\x1f{line.strip()}".encode()).hexdigest()
    return CollectorRecord(row, barcode, at, operation, location, cells.get("operador", ""), digest)


def _timestamp(
    cells: dict[str, str], row: int, profile: Profile, problems: list[RowProblem]
) -> datetime | None:
    if "fecha_hora" in cells:
        name, raw = "fecha_hora", cells["fecha_hora"]
        cut = _date_length(profile.date_format)
        day_raw, time_raw = raw[:cut], raw[cut:].strip()
    elif "fecha" in cells:
        name, day_raw, time_raw = "fecha", cells["fecha"], cells.get("hora", "")
        raw = f"{day_raw} {time_raw}".strip()
    else:
        return datetime.now(UTC)
    day = _parse_part(day_raw, profile.date_format)
    clock = _parse_part(time_raw, profile.time_format) if time_raw else datetime(1900, 1, 1)
    if day is None or clock is None:
        fmt = f"{profile.date_format} {profile.time_format}"
        problems.append(_problem(row, name, "collector.timestamp",
                                 N_("Fecha u hora inválida: «{value}» (formato esperado {format})."),
                                 value=raw, format=fmt))  # fmt: skip
        return None
    local = datetime.combine(day.date(), clock.time(), tzinfo=LOCAL_TZ)
    return local.astimezone(UTC)


@lru_cache(maxsize=64)
def _date_length(date_format: str) -> int:
    return len(datetime(2000, 12, 31).strftime(date_format))


#: Time formats read without ``strptime`` when the value has exactly this shape (two digits
#: each); anything else (one digit, out of range) goes to ``strptime``, which decides.
_FAST_TIMES = {
    "%H:%M:%S": re.compile(r"(\d\d):(\d\d):(\d\d)"),
    "%H%M%S": re.compile(r"(\d\d)(\d\d)(\d\d)"),
}


def _parse_part(raw: str, fmt: str) -> datetime | None:
    """``raw`` read with ``fmt`` (as ``strptime`` reads it), or None when it does not match.

    A file's times are nearly all distinct, so the common time shapes are read directly (what
    ``strptime`` returns for them: 1 January 1900 at that time); the rest is cached.
    """
    fast = _FAST_TIMES.get(fmt)
    if fast is not None and (m := fast.fullmatch(raw)) is not None:
        h, mi, s = int(m[1]), int(m[2]), int(m[3])
        if h < 24 and mi < 60 and s < 60:
            return datetime(1900, 1, 1, h, mi, s)
    return _strptime(raw, fmt)


@lru_cache(maxsize=100_000)
def _strptime(raw: str, fmt: str) -> datetime | None:
    """``strptime`` with a cache: a file has few distinct dates."""
    try:
        return datetime.strptime(raw, fmt)
    except ValueError:
        return None


@lru_cache(maxsize=200_000)
def _check_code(raw: str) -> tuple[str, RowProblem | None]:
    """(normalized value, problem with row 0 or None) for a barcode or location cell."""
    value = normalize_scan(raw)
    if not value:
        return value, None
    try:
        if looks_like_legajo_barcode(value):
            parse_barcode(value)
        else:
            validate_external_barcode(value)
    except ValidationError as exc:
        return value, RowProblem(0, "", exc.code, exc.template, dict(exc.params))
    return value, None
