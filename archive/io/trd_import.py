"""Import an entity's TRD (or TVD) spreadsheet into plain dataclasses.

Layouts understood (AGN_NOTES §1.2-1.5, §2, §9):

- **AGN layout**: a header block (ENTIDAD PRODUCTORA, UNIDAD ADMINISTRATIVA, OFICINA PRODUCTORA,
  CÓDIGO, often merged cells) above the table; column headers on one or two rows (CÓDIGO over
  D/S/Sb, RETENCIÓN over AG/AC, DISPOSICIÓN FINAL over CT/E/M-D/S X marks, SOPORTE over P/EL);
  series, subseries and tipos documentales on nested rows: a serie row has a serie code and no
  subserie code, a subserie row has a subserie code (its serie and dependencia inherited from
  above when blank), rows without a code list tipos (several per cell when separated by line
  breaks or by ``-`` bullets). The code may be in one column (split with the entity's
  :class:`~archive.domain.codes.CodeMask`) or in three. Rows stop at CONVENCIONES / firmas.
- **Flat layout** (ORFEO ``6-subserries.csv``): one row per subserie with the serie name on every
  row and the disposition written as words. ORFEO identifies the serie by its name only; pass
  ``series_codes`` (:func:`read_series_catalog` reads ORFEO's ``5-series.csv``) to give codes.

Column headers are recognised by folded (accent- and case-insensitive) synonyms. When they are
not, :class:`TrdHeaderNotRecognised` carries the best candidate row and its columns so the GUI
can ask the user for a :class:`ColumnMapping` and call again with it.

Imports are all-or-nothing: every problem is collected as a
:class:`~archive.domain.errors.RowProblem` (row, column header, reason) and raised together in
one :class:`~archive.domain.errors.ImportFileError`; otherwise the parsed table is returned.

A serie without subseries carries its retention in one :class:`TrdSubserie` whose code has
``subserie == ""``. ``CodeParts.dependencia`` is ``""`` when neither the rows, the header block
nor the ``dependencia`` argument say which office the table belongs to.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils.cell import get_column_letter

from archive.domain.codes import CodeMask, CodeParts, parse_code
from archive.domain.disposition import (
    Disposition,
    check_disposition,
    is_marked,
    parse_disposition_words,
)
from archive.domain.errors import ImportFileError, LegajoError, RowProblem, ValidationError
from archive.domain.retention import RetentionRule, Soporte, check_years, parse_soporte_words
from archive.i18n import N_
from archive.io.tabular import Row, Table, fold, read_table


class TrdField(enum.StrEnum):
    """What a column holds."""

    CODE = "code"  # whole code in one cell, split with the mask
    DEPENDENCIA = "dependencia"
    SERIE = "serie"
    SUBSERIE = "subserie"
    NAME = "name"  # "SERIES, SUBSERIES Y TIPOS DOCUMENTALES" (nested layout)
    SERIE_NAME = "serie_name"  # flat layout
    SUBSERIE_NAME = "subserie_name"
    TIPOS = "tipos"
    AG = "ag"
    AC = "ac"
    DISPOSITION = "disposition"  # words
    CT = "ct"  # X marks
    E = "e"
    S = "s"
    MD = "md"
    SOPORTE = "soporte"  # words
    PAPEL = "soporte_papel"  # X marks
    ELECTRONICO = "soporte_electronico"
    OTROS = "soporte_otros"
    PROCEDURE = "procedure"


F = TrdField
_MARKS = {F.CT: (Disposition.CT, "CT"), F.E: (Disposition.E, "E")}
_MARKS |= {F.MD: (Disposition.MD, "M/D"), F.S: (Disposition.S, "S")}
_SOPORTE_MARKS = {F.PAPEL: (Soporte.PAPEL, "P"), F.ELECTRONICO: (Soporte.ELECTRONICO, "EL")}
_SOPORTE_MARKS[F.OTROS] = (Soporte.OTROS, "O")
_RETENTION = (F.AG, F.AC, F.DISPOSITION, *_MARKS, F.PROCEDURE)


@dataclass(frozen=True)
class ColumnMapping:
    """Which 0-based column holds each field, and the 1-based row where the data starts."""

    columns: Mapping[TrdField, int]
    data_start_row: int


@dataclass(frozen=True)
class TrdSubserie:
    """A subserie (or a serie without subseries, ``code.subserie == ""``) with its retention."""

    code: CodeParts
    name: str
    ag_years: int
    ac_years: int
    disposition: Disposition
    soporte: frozenset[Soporte]
    procedure: str
    tipos: tuple[str, ...]
    source_row: int

    @property
    def rule(self) -> RetentionRule:
        """The retention rule (already validated by the import)."""
        return RetentionRule(self.ag_years, self.ac_years, self.disposition, self.procedure)


@dataclass(frozen=True)
class TrdSeries:
    """A serie and its subseries, in file order."""

    code: CodeParts
    name: str
    subseries: tuple[TrdSubserie, ...]
    source_row: int


@dataclass(frozen=True)
class TrdTable:
    """A parsed TRD: header block, series, and how the file was read."""

    entidad: str
    unidad_administrativa: str
    oficina_productora: str
    oficina_code: str
    series: tuple[TrdSeries, ...]
    file: str
    mapping: ColumnMapping
    encoding: str | None = None
    sheet: str | None = None


@dataclass(frozen=True)
class TvdSerie:
    """One serie/asunto (or subserie) of a TVD: central-archive years only."""

    code: CodeParts
    serie_name: str
    name: str
    ac_years: int
    disposition: Disposition
    procedure: str
    source_row: int


@dataclass(frozen=True)
class TvdTable:
    """A parsed TVD (one historical period of the organic structure)."""

    entidad: str
    oficina_productora: str
    oficina_code: str
    periodo: str
    series: tuple[TvdSerie, ...]
    file: str
    mapping: ColumnMapping


class TrdHeaderNotRecognised(ImportFileError):
    """The column headers were not recognised; the GUI shows a column-mapping step.

    Attributes:
        header_row: 1-based row that looked most like a header (``None`` if nothing did).
        columns: The labels of that row's columns (0-based positions).
        recognised: The fields that were recognised there, with their columns.
        missing: The required fields that were not found.
    """

    def __init__(
        self,
        file: str,
        header_row: int | None,
        columns: tuple[str, ...],
        recognised: dict[TrdField, int],
        missing: tuple[TrdField, ...],
    ) -> None:
        self.header_row = header_row
        self.columns = columns
        self.recognised = recognised
        self.missing = missing
        super().__init__(
            "trd.headers_not_recognised",
            N_("No se reconocen los encabezados de columna de {file}; faltan: {missing}."),
            file=file,
            missing=", ".join(missing),
            header_row=header_row,
        )


# --- header recognition ---------------------------------------------------------------------

_CODE_KIDS = {k: F.DEPENDENCIA for k in ("d", "dp", "dep", "cd", "dependencia")}
_CODE_KIDS |= {k: F.SERIE for k in ("s", "ss", "cs", "serie")}
_CODE_KIDS |= {k: F.SUBSERIE for k in ("sb", "ssb", "sub", "subserie")}
_RET_KIDS = {k: F.AG for k in ("ag", "gestion", "archivo gestion", "archivo de gestion")}
_RET_KIDS |= {k: F.AC for k in ("ac", "central", "archivo central")}
_DISP_KIDS = {k: F.CT for k in ("ct", "c t", "conservacion total")}
_DISP_KIDS |= {k: F.E for k in ("e", "eliminacion")} | {k: F.S for k in ("s", "seleccion")}
_DISP_KIDS |= {
    k: F.MD
    for k in ("m", "d", "md", "m d", "mt", "microfilmacion", "digitalizacion", "medio tecnico")
}
_SOP_KIDS = {k: F.PAPEL for k in ("f", "p", "f p", "fis", "fisico", "papel")}
_SOP_KIDS |= {k: F.ELECTRONICO for k in ("e", "el", "ele", "electronico", "digital")}
_SOP_KIDS |= {k: F.OTROS for k in ("o", "otro", "otros")}
_GROUPS = (
    (("codigo", "cod"), _CODE_KIDS),
    (("retencion", "tiempo", "permanencia"), _RET_KIDS),
    (("disposicion",), _DISP_KIDS),
    (("soporte",), _SOP_KIDS),
)
#: Single letters whose meaning depends on the neighbouring columns.
_AMBIGUOUS = {"d": (F.DEPENDENCIA, F.MD), "s": (F.SERIE, F.S), "e": (F.E, F.ELECTRONICO)}
_FAMILY = {f: 0 for f in (F.CODE, F.DEPENDENCIA, F.SERIE, F.SUBSERIE)}
_FAMILY |= {f: 1 for f in (F.DISPOSITION, *_MARKS)}
_FAMILY |= {f: 2 for f in (F.SOPORTE, *_SOPORTE_MARKS)}
_IGNORED = {"consecutivo de la fila", "fila", "item", "no", "n", "orden", "norma", "observaciones"}
_CODE_WORDS = {"codigo", "cod", "consecutivo", "numero", "no", "n"}
_YEAR_WORDS = {"ano", "anos", "archivo", "retencion", "tiempo"}


def _single(c: str) -> TrdField | str | None:
    """Classify a one-level folded label; an ambiguous letter is returned as itself."""
    words = set(c.split())
    if not c or c in _IGNORED:
        return None
    if c in _AMBIGUOUS:
        return c
    if "procedimiento" in words:
        return F.PROCEDURE
    if c.startswith("disposicion"):
        return F.DISPOSITION
    if c.startswith("soporte"):
        return F.SOPORTE
    if c in _RET_KIDS and len(c) == 2:
        return _RET_KIDS[c]
    if "gestion" in words and words & (_YEAR_WORDS | {"ag"}):
        return F.AG
    if "central" in words and words & (_YEAR_WORDS | {"ac"}):
        return F.AC
    if "tipo" in c and "serie" not in c:
        return F.TIPOS
    if "subserie" in c and "serie" in c.replace("subserie", ""):
        return F.NAME
    if words & _CODE_WORDS:
        if "subserie" in c:
            return F.SUBSERIE
        if "serie" in c:
            return F.SERIE
        return F.DEPENDENCIA if words & {"dependencia", "oficina"} else F.CODE
    if "subserie" in c:
        return F.SUBSERIE_NAME
    if "serie" in c:
        return F.SERIE_NAME
    if c in {"cd", "sb", "ssb"}:
        return _CODE_KIDS[c]
    return _DISP_KIDS.get(c) or _SOP_KIDS.get(c) if len(c) > 1 else _SOP_KIDS.get(c)


def _classify(parent: str, child: str) -> TrdField | str | None:
    for keys, kids in _GROUPS:
        if parent and any(parent.startswith(k) for k in keys) and child in kids:
            return kids[child]
    return _single(child)


def _resolve(found: list[TrdField | str | None]) -> list[TrdField | None]:
    """Give ambiguous letters the family of the nearest recognised neighbour."""
    out = [f if isinstance(f, TrdField) else None for f in found]
    for _ in range(len(found)):
        changed = False
        for j, f in enumerate(found):
            if out[j] is not None or not isinstance(f, str) or f not in _AMBIGUOUS:
                continue
            for k in (j - 1, j + 1):
                family = _FAMILY.get(out[k]) if 0 <= k < len(out) and out[k] else None
                pick = [c for c in _AMBIGUOUS[f] if family is not None and _FAMILY[c] == family]
                if pick:
                    out[j], changed = pick[0], True
                    break
        if not changed:
            break
    return out


def _missing(columns: Mapping[TrdField, int], kind: str) -> tuple[TrdField, ...]:
    need: list[TrdField] = []
    if not columns.keys() & {F.NAME, F.SERIE_NAME, F.SUBSERIE_NAME}:
        need.append(F.NAME)
    if not columns.keys() & {F.CODE, F.SERIE, F.SUBSERIE, F.SERIE_NAME}:
        need.append(F.CODE)
    need += [f for f in ((F.AG, F.AC) if kind == "trd" else (F.AC,)) if f not in columns]
    if not columns.keys() & {F.DISPOSITION, *_MARKS}:
        need.append(F.DISPOSITION)
    return (*need, *([F.PROCEDURE] if F.PROCEDURE not in columns else []))


def _candidate(top: Row, below: Row | None) -> tuple[dict[TrdField, int], list[str]]:
    width = max(len(top.cells), len(below.cells) if below else 0)
    found: list[TrdField | str | None] = []
    labels: list[str] = []
    parent = ""
    for j in range(width):
        own = top.get(j)
        parent = own or parent
        child = below.get(j) if below else ""
        if child and child != own:
            found.append(_classify(fold(parent), fold(child)))
            labels.append(f"{parent} / {child}".replace("\n", " ") if parent else child)
        else:
            found.append(_single(fold(own)))
            labels.append(own.replace("\n", " "))
    columns: dict[TrdField, int] = {}
    for j, f in enumerate(_resolve(found)):
        if f is not None and f not in columns:
            columns[f] = j
    return columns, labels


def detect_columns(table: Table, kind: str = "trd") -> tuple[ColumnMapping, list[str]]:
    """Find the header row(s) in the first 40 rows and map columns to fields.

    Args:
        table: The rows read by :func:`~archive.io.tabular.read_table`.
        kind: ``"trd"`` or ``"tvd"`` (a TVD has no AG column).

    Returns:
        The mapping and the column labels (``"RETENCIÓN / AG"`` for two-row headers).

    Raises:
        TrdHeaderNotRecognised: when no row has every required column.
    """
    best: tuple[int, int, dict[TrdField, int], list[str], int] | None = None
    for i, top in enumerate(table.rows[:40]):
        nxt = table.rows[i + 1] if i + 1 < len(table.rows) else None
        below = nxt if nxt and nxt.number == top.number + 1 else None
        for two in (False, True) if below else (False,):
            columns, labels = _candidate(top, below if two else None)
            ok = 0 if _missing(columns, kind) else 1
            start = (below.number if two and below else top.number) + 1
            if best is None or (ok, len(columns)) > (best[0], best[1]):
                best = (ok, len(columns), columns, labels, start)
    if best is None or not best[0]:
        columns, labels = (best[2], best[3]) if best else ({}, [])
        row = best[4] - 1 if best and columns else None
        raise TrdHeaderNotRecognised(
            table.file, row, tuple(labels), columns, _missing(columns, kind)
        )
    return ColumnMapping(best[2], best[4]), best[3]


# --- header block ---------------------------------------------------------------------------


def _block_key(label: str, has_oficina: bool) -> str | None:
    if label.startswith("entidad"):
        return "entidad"
    if label.startswith("unidad administrativa"):
        return "unidad"
    if label.startswith(("oficina productora", "dependencia", "oficina")):
        return "oficina"
    if label.startswith(("codigo", "cod")) and (
        has_oficina or "dependencia" in label or "oficina" in label
    ):
        return "codigo"
    if label.startswith(("periodo", "fechas extremas")):
        return "periodo"
    return None


def _header_block(rows: list[Row]) -> dict[str, str]:
    info: dict[str, str] = {}
    for row in rows:
        cells = row.cells
        for j, cell in enumerate(cells):
            label, colon, inline = cell.partition(":")
            key = _block_key(fold(label), "oficina" in info) if cell else None
            if key is None or key in info:
                continue
            value = inline.strip() if colon else ""
            for later in cells[j + 1 :] if not value else ():
                if later and _block_key(fold(later.partition(":")[0]), True) is None:
                    value = later
                    break
            info[key] = value.replace("\n", " ")
    m = re.fullmatch(r"(\d+)\s*[-–]\s*(\S.*)", info.get("oficina", ""))
    if m and not info.get("codigo"):
        info["codigo"], info["oficina"] = m[1], m[2]
    return info


# --- rows -----------------------------------------------------------------------------------

_STOP = {"firma", "firmas", "elaboro", "reviso", "aprobo", "elaborado por", "aprobado por"}
_BULLET = re.compile(r"(?:^|\s)[-•·*–]\s*")
_YEARS = re.compile(r"(\d+)(?:[.,]0+)?\s*(?:anos?)?")


def split_tipos(text: str) -> list[str]:
    """Split a cell listing tipos documentales: one per line, or ``-``/``•`` bullets.

    A line is split on dashes only when it starts with a bullet (``"- Oficio - Acta"``), so a
    name such as ``"Certificado - CDP"`` stays whole.
    """
    items: list[str] = []
    for line in text.split("\n"):
        parts = _BULLET.split(line) if re.match(r"\s*[-•·*–]", line) else [line]
        items += [p.strip(" ;") for p in parts if p.strip(" ;")]
    return items


@dataclass
class _Entry:
    code: CodeParts
    name: str
    row: int
    tipos: list[str]
    ag: int = 0
    ac: int = 0
    disposition: Disposition = Disposition.NONE
    soporte: frozenset[Soporte] = frozenset()
    procedure: str = ""


@dataclass
class _Serie:
    code: CodeParts
    name: str
    row: int
    entries: list[_Entry] = field(default_factory=list)


class _Parser:
    def __init__(
        self,
        table: Table,
        mapping: ColumnMapping,
        labels: list[str],
        kind: str,
        mask: CodeMask,
        dependencia: str,
        series_codes: Mapping[str, str] | None,
    ) -> None:
        self.t, self.cols, self.kind, self.mask = table, dict(mapping.columns), kind, mask
        self.start = mapping.data_start_row
        self.labels = {
            f: (labels[j] if j < len(labels) and labels[j] else "") for f, j in self.cols.items()
        }
        for f, j in self.cols.items():
            self.labels[f] = self.labels[f] or f"Columna {get_column_letter(j + 1)}"
        marks = [f for f in _MARKS if f in self.cols]
        if F.DISPOSITION not in self.labels and marks:
            self.labels[F.DISPOSITION] = self.labels[marks[0]].split(" / ")[0]
        self.default_dep = dependencia
        self.catalog = {fold(k): v for k, v in (series_codes or {}).items()}
        self.flat = F.SERIE_NAME in self.cols
        self.problems: list[RowProblem] = []
        self.series: dict[CodeParts, _Serie] = {}
        self.entries: dict[CodeParts, _Entry] = {}
        self.header_cells = [r.cells for r in table.rows if self.start - 3 < r.number < self.start]

    def problem(self, row: int, fld: TrdField, err: LegajoError) -> None:
        self.problems.append(
            RowProblem(row, self.labels.get(fld, str(fld)), err.code, err.template, err.params)
        )

    def raw(self, row: Row, fld: TrdField) -> str:
        return row.get(self.cols[fld]) if fld in self.cols else ""

    def cell(self, row: Row, fld: TrdField) -> str:
        """Merged-aware value, for rows that carry a code (retention merged over tipo rows)."""
        return self.t.merged_value(row.number, self.cols[fld]) if fld in self.cols else ""

    def run(self) -> None:
        serie: _Serie | None = None
        entry: _Entry | None = None
        for row in self.t.rows:
            if row.number < self.start or self._is_header_repeat(row):
                continue
            first = fold(next(c for c in row.cells if c).partition(":")[0])
            if first.startswith("convenciones") or first in _STOP:
                break
            code_text, s_raw, b_raw = (self.raw(row, f) for f in (F.CODE, F.SERIE, F.SUBSERIE))
            has_ret = any(self.raw(row, f) for f in _RETENTION)
            try:
                parts = parse_code(code_text, self.mask) if code_text else None
                dep = parts.dependencia if parts else self.cell(row, F.DEPENDENCIA)
                code = parts or CodeParts(dep, s_raw, b_raw)
            except ValidationError as err:
                self.problem(row.number, F.CODE if code_text else F.SERIE, err)
                continue
            if self.flat:
                serie, entry = self._flat_row(row, code, has_ret)
            elif code.serie or code.subserie:
                serie, entry = self._nested_row(row, code, serie, has_ret)
            elif has_ret:
                err = ValidationError(
                    "trd.row_without_code", N_("La fila tiene retención pero no tiene código.")
                )
                self.problem(row.number, F.CODE if F.CODE in self.cols else F.SERIE, err)
            elif tipos := split_tipos(self.raw(row, F.NAME) or self.raw(row, F.TIPOS)):
                if entry is None:
                    err = ValidationError(
                        "trd.tipo_without_subserie",
                        N_("Tipo documental sin serie ni subserie encima."),
                    )
                    self.problem(row.number, F.NAME, err)
                else:
                    entry.tipos += tipos
        self._finish()

    def _is_header_repeat(self, row: Row) -> bool:
        return any(
            sum(1 for j, c in enumerate(cells) if c and fold(c) == fold(row.get(j))) >= 3
            for cells in self.header_cells
        )

    def _dep(self, code: CodeParts, inherited: str = "") -> CodeParts:
        dep = code.dependencia or inherited or self.default_dep
        return CodeParts(dep, code.serie, code.subserie)

    def _serie(self, row: Row, code: CodeParts, name: str) -> _Serie:
        key = code.serie_parts
        found = self.series.get(key)
        if found is None:
            found = self.series[key] = _Serie(key, name, row.number)
        elif name and fold(name) != fold(found.name):
            err = ValidationError(
                "trd.serie_name_conflict",
                N_("La serie {serie} ya se llamó «{first}» en la fila {row}."),
                serie=key.serie,
                first=found.name,
                row=found.row,
            )
            self.problem(row.number, F.SERIE_NAME if self.flat else F.NAME, err)
        return found

    def _flat_row(
        self, row: Row, code: CodeParts, has_ret: bool
    ) -> tuple[_Serie | None, _Entry | None]:
        serie_name = self.raw(row, F.SERIE_NAME)
        sub_name = self.raw(row, F.SUBSERIE_NAME) or self.raw(row, F.NAME)
        s = code.serie or self.catalog.get(fold(serie_name), "")
        if not s:
            err = ValidationError(
                "trd.serie_code_unknown",
                N_("No se sabe el código de la serie «{name}»."),
                name=serie_name,
            )
            self.problem(row.number, F.SERIE_NAME, err)
            return None, None
        code = self._dep(CodeParts(code.dependencia, s, code.subserie))
        serie = self._serie(row, code, serie_name)
        if sub_name and not code.subserie:
            err = ValidationError(
                "trd.subserie_code_missing",
                N_("La subserie «{name}» no tiene código."),
                name=sub_name,
            )
            self.problem(row.number, F.SUBSERIE, err)
            return serie, None
        if not (has_ret or code.subserie):
            return serie, None
        return serie, self._entry(row, code, sub_name or serie_name, serie)

    def _nested_row(
        self, row: Row, code: CodeParts, serie: _Serie | None, has_ret: bool
    ) -> tuple[_Serie | None, _Entry | None]:
        lines = self.raw(row, F.NAME).split("\n")
        cut = next((i for i, ln in enumerate(lines) if i and re.match(r"[-•·*–]", ln)), len(lines))
        name = " ".join(lines[:cut])
        extra = split_tipos("\n".join(lines[cut:]))
        if not code.subserie:
            serie = self._serie(row, self._dep(code), name)
            entry = self._entry(row, serie.code, name, serie) if has_ret else None
        else:
            if not code.serie and serie is not None:
                code = CodeParts(
                    code.dependencia or serie.code.dependencia, serie.code.serie, code.subserie
                )
            code = self._dep(code, serie.code.dependencia if serie else "")
            if code.serie_parts not in self.series:
                err = ValidationError(
                    "trd.subserie_without_serie",
                    N_("La subserie {subserie} no tiene una fila de serie {serie} encima."),
                    subserie=code.subserie,
                    serie=code.serie or "?",
                )
                self.problem(row.number, F.SUBSERIE if F.SUBSERIE in self.cols else F.CODE, err)
                return serie, None
            serie = self.series[code.serie_parts]
            entry = self._entry(row, code, name, serie)
        if entry is not None:
            entry.tipos += extra
        return serie, entry

    def _entry(self, row: Row, code: CodeParts, name: str, serie: _Serie) -> _Entry | None:
        first = self.entries.get(code)
        if first is not None:
            err = ValidationError(
                "trd.duplicate_code",
                N_("El código {code} ya está en la fila {row}."),
                code="-".join(p for p in (code.dependencia, code.serie, code.subserie) if p),
                row=first.row,
            )
            self.problem(row.number, F.CODE if F.CODE in self.cols else F.SUBSERIE, err)
            return None
        entry = _Entry(code, name, row.number, split_tipos(self.raw(row, F.TIPOS)))
        entry.ag = self._years(row, F.AG) if self.kind == "trd" else 0
        entry.ac = self._years(row, F.AC)
        entry.procedure = self.cell(row, F.PROCEDURE)
        self._disposition(row, entry)
        entry.soporte = self._soporte(row)
        self.entries[code] = entry
        serie.entries.append(entry)
        return entry

    def _years(self, row: Row, fld: TrdField) -> int:
        text = self.cell(row, fld)
        m = _YEARS.fullmatch(text.casefold().replace("ñ", "n"))
        try:
            if not text:
                raise ValidationError("trd.years_missing", N_("Faltan los años de retención."))
            return check_years(int(m[1]) if m else text, fld.value.upper())
        except ValidationError as err:
            self.problem(row.number, fld, err)
            return 0

    def _disposition(self, row: Row, entry: _Entry) -> None:
        marks = [f for f in _MARKS if f in self.cols]
        words = self.cell(row, F.DISPOSITION)
        use_marks = bool(marks) and (not words or any(self.cell(row, f) for f in marks))
        flags, failed = Disposition.NONE, False
        if use_marks:
            for fld in marks:
                flag, code = _MARKS[fld]
                try:
                    if is_marked(self.cell(row, fld), code):
                        flags |= flag
                except ValidationError as err:
                    self.problem(row.number, fld, err)
                    failed = True
        else:
            try:
                flags = parse_disposition_words(words)
            except ValidationError as err:
                self.problem(row.number, F.DISPOSITION, err)
                failed = True
        rules = check_disposition(flags, entry.procedure)
        for err in rules:
            if "procedure" in err.code:
                self.problem(row.number, F.PROCEDURE, err)
            elif not failed:
                self.problem(row.number, F.DISPOSITION, err)
        entry.disposition = flags

    def _soporte(self, row: Row) -> frozenset[Soporte]:
        found: set[Soporte] = set()
        for fld, (sop, code) in _SOPORTE_MARKS.items():
            try:
                if fld in self.cols and is_marked(self.cell(row, fld), code):
                    found.add(sop)
            except ValidationError as err:
                self.problem(row.number, fld, err)
        try:
            found |= parse_soporte_words(self.cell(row, F.SOPORTE))
        except ValidationError as err:
            self.problem(row.number, F.SOPORTE, err)
        return frozenset(found)

    def _finish(self) -> None:
        for serie in self.series.values():
            own = [e for e in serie.entries if not e.code.subserie]
            if not serie.entries:
                err = ValidationError(
                    "trd.serie_without_retention",
                    N_("La serie {serie} no tiene retención ni subseries."),
                    serie=serie.code.serie,
                )
                self.problem(serie.row, F.NAME if F.NAME in self.cols else F.SERIE_NAME, err)
            elif own and len(serie.entries) > 1:
                err = ValidationError(
                    "trd.serie_retention_and_subseries",
                    N_("La serie {serie} tiene retención propia y además subseries."),
                    serie=serie.code.serie,
                )
                self.problem(serie.row, F.AG if F.AG in self.cols else F.AC, err)
        if not self.series and not self.problems:
            raise ImportFileError(
                "trd.no_rows", N_("El archivo {file} no tiene series."), file=self.t.file
            )
        if self.problems:
            self.problems.sort(key=lambda p: p.row)
            raise ImportFileError(
                "trd.invalid",
                N_("El archivo {file} tiene {count} problemas; no se importó nada."),
                file=self.t.file,
                problems=self.problems,
            )


# --- public entry points --------------------------------------------------------------------


def _parse(
    table: Table,
    kind: str,
    mask: CodeMask,
    mapping: ColumnMapping | None,
    dependencia: str | None,
    series_codes: Mapping[str, str] | None,
) -> tuple[_Parser, dict[str, str], ColumnMapping]:
    if mapping is None:
        mapping, labels = detect_columns(table, kind)
    else:
        above = table.row(mapping.data_start_row - 1)
        labels = [c.replace("\n", " ") for c in above.cells] if above else []
    cols = mapping.columns
    if F.SERIE_NAME in cols and not cols.keys() & {F.CODE, F.SERIE} and not series_codes:
        raise ImportFileError(
            "trd.series_codes_needed",
            N_(
                "El archivo {file} nombra las series sin su código; indique el archivo de "
                "series (código y nombre)."
            ),
            file=table.file,
        )
    header_end = min(mapping.data_start_row - 1, *(c for c in [mapping.data_start_row]))
    info = _header_block([r for r in table.rows if r.number < header_end - 1] or [])
    try:
        default_dep = CodeParts(info.get("codigo", "") or dependencia or "", "").dependencia
    except ValidationError:
        default_dep = CodeParts(dependencia or "", "").dependencia
    parser = _Parser(table, mapping, labels, kind, mask, default_dep, series_codes)
    parser.run()
    return parser, info, mapping


def parse_trd_table(
    table: Table,
    *,
    mask: CodeMask,
    mapping: ColumnMapping | None = None,
    dependencia: str | None = None,
    series_codes: Mapping[str, str] | None = None,
) -> TrdTable:
    """Parse TRD rows already read by :func:`~archive.io.tabular.read_table`.

    Args:
        table: The rows.
        mask: The entity's code mask, used only for a combined code column.
        mapping: Columns chosen by the user; ``None`` to recognise the headers.
        dependencia: Office code used when neither the rows nor the header block give one.
        series_codes: Serie name → code, for flat files that name series without codes.

    Returns:
        The parsed table.

    Raises:
        TrdHeaderNotRecognised: headers not recognised (ask for a mapping).
        ImportFileError: ``trd.invalid`` with every row problem, ``trd.no_rows``,
            ``trd.series_codes_needed``.
    """
    parser, info, mapping = _parse(table, "trd", mask, mapping, dependencia, series_codes)
    series = tuple(
        TrdSeries(
            s.code,
            s.name,
            tuple(
                TrdSubserie(
                    e.code,
                    e.name,
                    e.ag,
                    e.ac,
                    e.disposition,
                    e.soporte,
                    e.procedure,
                    tuple(e.tipos),
                    e.row,
                )
                for e in s.entries
            ),
            s.row,
        )
        for s in parser.series.values()
    )
    return TrdTable(
        entidad=info.get("entidad", ""),
        unidad_administrativa=info.get("unidad", ""),
        oficina_productora=info.get("oficina", ""),
        oficina_code=parser.default_dep if info.get("codigo") else "",
        series=series,
        file=table.file,
        mapping=mapping,
        encoding=table.encoding,
        sheet=table.sheet,
    )


def parse_trd(
    path: str | Path,
    *,
    mask: CodeMask,
    mapping: ColumnMapping | None = None,
    sheet: str | int | None = None,
    dependencia: str | None = None,
    series_codes: Mapping[str, str] | None = None,
) -> TrdTable:
    """Read and parse a TRD file (XLSX or CSV); see :func:`parse_trd_table`.

    Args:
        path: The file.
        mask: The entity's code mask.
        mapping: Columns chosen by the user, or ``None``.
        sheet: XLSX sheet name or 0-based index (``None``: the first).
        dependencia: Fallback office code.
        series_codes: Serie name → code for flat files.

    Raises:
        ImportFileError: unreadable file (see :func:`~archive.io.tabular.read_table`) or
            invalid content; :class:`TrdHeaderNotRecognised` for unknown headers.
    """
    table = read_table(path, sheet=sheet)
    return parse_trd_table(
        table, mask=mask, mapping=mapping, dependencia=dependencia, series_codes=series_codes
    )


def parse_tvd(
    path: str | Path,
    *,
    mask: CodeMask,
    mapping: ColumnMapping | None = None,
    sheet: str | int | None = None,
    dependencia: str | None = None,
) -> TvdTable:
    """Read and parse a TVD file: like a TRD, but with only AC years and a PERIODO header.

    Args:
        path: The file.
        mask: The entity's code mask.
        mapping: Columns chosen by the user, or ``None``.
        sheet: XLSX sheet name or 0-based index.
        dependencia: Fallback (historical) office code.

    Raises:
        ImportFileError: as :func:`parse_trd`.
    """
    table = read_table(path, sheet=sheet)
    parser, info, mapping = _parse(table, "tvd", mask, mapping, dependencia, None)
    series = tuple(
        TvdSerie(e.code, s.name, e.name, e.ac, e.disposition, e.procedure, e.row)
        for s in parser.series.values()
        for e in s.entries
    )
    return TvdTable(
        entidad=info.get("entidad", ""),
        oficina_productora=info.get("oficina", ""),
        oficina_code=parser.default_dep if info.get("codigo") else "",
        periodo=info.get("periodo", ""),
        series=series,
        file=table.file,
        mapping=mapping,
    )


def read_series_catalog(path: str | Path) -> dict[str, str]:
    """Read a serie catalogue (ORFEO ``5-series.csv``: ``Consecutivo serie;Nombre serie``).

    Returns:
        Serie name → serie code, for ``series_codes``.

    Raises:
        ImportFileError: ``trd.catalog_invalid`` when no code/name header row is found.
    """
    table = read_table(path)
    for row in table.rows[:10]:
        kinds = [_single(fold(c)) for c in row.cells]
        if F.SERIE in kinds and F.SERIE_NAME in kinds:
            code_col, name_col = kinds.index(F.SERIE), kinds.index(F.SERIE_NAME)
            return {
                r.get(name_col): r.get(code_col)
                for r in table.rows
                if r.number > row.number and r.get(name_col) and r.get(code_col)
            }
    raise ImportFileError(
        "trd.catalog_invalid",
        N_("El archivo {file} no tiene columnas de código y nombre de serie."),
        file=table.file,
    )
