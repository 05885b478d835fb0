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

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time
from functools import lru_cache
from hashlib import sha256
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
    tens of thousands).

    ``line_hash`` is the key the line is remembered by once applied (:func:`line_key`);
    ``legacy_hash`` the key lines had before it (the full SHA-256 of profile and line), still
    looked up on databases that hold such lines.
    """

    row: int
    barcode: str
    at: datetime
    operation: str
    location: str
    operator: str
    line_hash: str
    legacy_hash: str


#: The first character of a :func:`line_key`; old keys are lowercase hex, all below it.
KEY_MARK = "s"
#: Old keys sort below this text (``line_hash < LEGACY_BELOW``), new ones above.
LEGACY_BELOW = "g"
_UNDATED = f"{KEY_MARK}00000000"


def line_key(digest: str, day: str | None) -> str:
    """The key of an applied line: ``s``, the UTC day it was scanned (``YYYYMMDD``;
    ``00000000`` for a profile without a date) and 55 hex digits of its SHA-256 ``digest``
    (64 characters, as the column).

    Led by the day, a file's new lines land side by side at the end of the key's index instead
    of at 10,000 random places in it: after 2,000,000 earlier lines, a 10,000-line import took
    0.47 s with these keys against 0.73-0.76 s with bare hashes (bench_collector, 26/11/2026).
    The same line always gives the same key (the day is the line's own), so files stay
    idempotent.
    """
    return f"{KEY_MARK}{day}{digest[:55]}" if day is not None else f"{_UNDATED}{digest[:55]}"


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
    # One search of the whole text instead of one per line: no line of a clean file has any.
    parse = _LineParser(profile, garbage=_GARBAGE_IN_TEXT.search(text) is not None)
    records, problems = out.records, out.problems
    for number, line in enumerate(text.splitlines(), start=1):
        if number == 1 and profile.header:
            continue
        if not line.strip():
            continue
        out.lines += 1
        parsed = parse(line, number)
        if isinstance(parsed, CollectorRecord):
            records.append(parsed)
        else:
            problems.extend(parsed)
    return out


def parse_line(line: str, row: int, profile: Profile) -> CollectorRecord | list[RowProblem]:
    """One line as a record, or the problems that stop it."""
    return _LineParser(profile)(line, row)


_GARBAGE = re.compile("[\x00-\x08\x0a-\x1f\x7f\ufffd]")
#: ``_GARBAGE`` less the characters ``str.splitlines`` splits at (no line holds them).
_GARBAGE_IN_TEXT = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f\ufffd]")


class _LineParser:
    """:func:`parse_line` for one profile, with what all lines share worked out once."""

    def __init__(self, profile: Profile, *, garbage: bool = True) -> None:
        self.profile = profile
        self.garbage = garbage  # False: the caller found no garbage character in any line
        self.hash_prefix = f"{profile.name}\x1f"
        self.operations = dict(profile.operations)
        self.valid_ops = ", ".join(sorted(profile.operations))
        self.fast_time = _FAST_TIMES.get(profile.time_format)
        self.midnights: dict[str, int | None] = {}  # date text -> UTC epoch of local midnight
        names = profile.names()
        self.dated = "fecha_hora" in names or "fecha" in names
        self.key_days: dict[int, str] = {}  # proleptic ordinal -> "sYYYYMMDD"

    def __call__(self, line: str, row: int) -> CollectorRecord | list[RowProblem]:
        if self.garbage and _GARBAGE.search(line):
            return [_problem(row, "", "collector.garbage",
                             N_("La línea contiene caracteres ilegibles (¿codificación equivocada o archivo dañado?)."))]  # fmt: skip
        cells = _split(line, row, self.profile)
        if type(cells) is list:
            return cells
        assert isinstance(cells, dict)
        problems: list[RowProblem] = []
        barcode, bad = _check_code(cells.get("barcode", ""))
        if not barcode:
            problems.append(
                _problem(row, "barcode", "collector.barcode_empty", N_("Código de barras vacío."))
            )
        elif bad is not None:
            problems.append(_problem(row, "barcode", bad.code, bad.template, **bad.params))
        at = self._timestamp(cells, row, problems)
        op_code = cells.get("operacion", "").upper()
        operation = self.operations.get(op_code) if op_code else self.profile.default_operation
        if operation is None:
            problems.append(_problem(row, "operacion", "collector.operation",
                                     N_("Operación desconocida: «{op}» (válidas: {valid})."),
                                     op=op_code, valid=self.valid_ops))  # fmt: skip
        location, bad = _check_code(cells.get("ubicacion", ""))
        if operation in ("move", "count") and not location:
            problems.append(_problem(row, "ubicacion", "collector.location_missing",
                                     N_("La operación necesita una ubicación y está vacía.")))  # fmt: skip
        elif bad is not None:
            problems.append(_problem(row, "ubicacion", bad.code, bad.template, **bad.params))
        if problems or at is None or operation is None:
            return problems
        digest = sha256(f"{self.hash_prefix}{line.strip()}".encode()).hexdigest()
        if self.dated:  # line_key, with the day's prefix made once
            day = at.toordinal()
            prefix = self.key_days.get(day)
            if prefix is None:
                prefix = self.key_days[day] = f"{KEY_MARK}{at.year:04d}{at.month:02d}{at.day:02d}"
            key = prefix + digest[:55]
        else:
            key = line_key(digest, None)
        return CollectorRecord(
            row, barcode, at, operation, location, cells.get("operador", ""), key, digest
        )

    def _timestamp(
        self, cells: dict[str, str], row: int, problems: list[RowProblem]
    ) -> datetime | None:
        profile = self.profile
        if "fecha_hora" in cells:
            name, raw = "fecha_hora", cells["fecha_hora"]
            cut = _date_length(profile.date_format)
            day_raw, time_raw = raw[:cut], raw[cut:].strip()
        elif "fecha" in cells:
            name, day_raw, time_raw = "fecha", cells["fecha"], cells.get("hora", "")
            raw = ""  # the error's value: both cells, made only for an error
        else:
            return datetime.now(UTC)
        # The common shape: a day whose UTC offset holds all day, a two-digit time.
        try:
            midnight = self.midnights[day_raw]
        except KeyError:
            midnight = self.midnights[day_raw] = _utc_midnight(day_raw, profile.date_format)
        if (
            midnight is not None
            and self.fast_time is not None
            and (m := self.fast_time.fullmatch(time_raw))
        ):
            h, mi, s = int(m[1]), int(m[2]), int(m[3])
            if h < 24 and mi < 60 and s < 60:
                try:
                    return datetime.fromtimestamp(midnight + 3600 * h + 60 * mi + s, UTC)
                except (ValueError, OverflowError):
                    pass  # after 9999 in UTC: the exact path reports it
        day = _strptime(day_raw, profile.date_format)
        clock = _strptime(time_raw, profile.time_format) if time_raw else datetime(1900, 1, 1)
        if day is not None and clock is not None:
            try:
                return datetime.combine(day.date(), clock.time(), tzinfo=LOCAL_TZ).astimezone(UTC)
            except (ValueError, OverflowError):
                pass  # 31/12/9999 after 19:00 in Bogotá is in the year 10000 in UTC
        raw = raw or f"{day_raw} {time_raw}".strip()
        fmt = f"{profile.date_format} {profile.time_format}"
        problems.append(_problem(row, name, "collector.timestamp",
                                 N_("Fecha u hora inválida: «{value}» (formato esperado {format})."),
                                 value=raw, format=fmt))  # fmt: skip
        return None


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
        # A skipped column ("" in the profile) lands under the key "", which nothing reads.
        return dict(zip(profile.fields, map(str.strip, cells), strict=True))
    # Trailing padding may have been trimmed by an editor; a field that does not even start is missing.
    missing = [n for n, start, _ in profile.widths if start >= len(line)]
    if missing:
        needed = max(start + width for _, start, width in profile.widths)
        return [_problem(row, missing[0], "collector.short_line",
                         N_("Línea de {got} caracteres; el perfil de ancho fijo necesita {expected} (¿archivo truncado?)."),
                         got=len(line), expected=needed)]  # fmt: skip
    return {n: line[s : s + w].strip() for n, s, w in profile.widths}


@lru_cache(maxsize=4096)
def _utc_midnight(day_raw: str, date_format: str) -> int | None:
    """The UTC epoch second of local midnight of ``day_raw``, when the local UTC offset is the
    same all that day (then a time of day is just seconds after it); None otherwise (a day
    that changes offset, or text that is not a date: the exact path decides)."""
    day = _fast_date(day_raw, date_format)
    if day is None:
        return None
    start = datetime.combine(day, time(), tzinfo=LOCAL_TZ)
    offset = start.utcoffset()
    if any(
        start.replace(minute=15 * k % 60, hour=15 * k // 60).utcoffset() != offset
        for k in range(1, 96)
    ):
        return None
    return int(start.timestamp())


@lru_cache(maxsize=64)
def _date_length(date_format: str) -> int:
    return len(datetime(2000, 12, 31).strftime(date_format))


#: Time formats read without ``strptime`` when the value has exactly this shape (two digits
#: each); anything else (one digit, out of range) goes to ``strptime``, which decides.
_FAST_TIMES = {
    "%H:%M:%S": re.compile(r"(\d\d):(\d\d):(\d\d)"),
    "%H%M%S": re.compile(r"(\d\d)(\d\d)(\d\d)"),
}


#: Date formats read without ``strptime`` (whose first call in a process costs milliseconds)
#: when the value has exactly this shape; anything else goes to ``strptime``, which decides.
_FAST_DATES = {
    "%d/%m/%Y": (re.compile(r"(\d\d)/(\d\d)/(\d{4})"), 3, 2, 1),
    "%Y%m%d": (re.compile(r"(\d{4})(\d\d)(\d\d)"), 1, 2, 3),
}


def _fast_date(raw: str, fmt: str) -> date | None:
    """``raw`` read as a date with ``fmt`` (as ``strptime`` reads it), or None."""
    fast = _FAST_DATES.get(fmt)
    if fast is not None and (m := fast[0].fullmatch(raw)) is not None:
        try:
            return date(int(m[fast[1]]), int(m[fast[2]]), int(m[fast[3]]))
        except ValueError:
            return None  # 31/02: strptime refuses it too
    parsed = _strptime(raw, fmt)
    return None if parsed is None else parsed.date()


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
