"""Import an entity's TRD (or TVD) spreadsheet into plain dataclasses.

Layouts understood (AGN_NOTES §1.2-1.5, §2, §9):

- **AGN layout**: a header block (ENTIDAD PRODUCTORA, UNIDAD ADMINISTRATIVA, OFICINA PRODUCTORA,
  CÓDIGO, often merged cells) above the table; column headers on one or two rows (CÓDIGO over
  D/S/Sb, RETENCIÓN over AG/AC, DISPOSICIÓN FINAL over CT/E/M-D/S X marks, SOPORTE over P/EL);
  series, subseries and tipos documentales on nested rows: a serie row has a serie code and no
  subserie code, a subserie row has a subserie code (serie and dependencia inherited from above
  when blank), rows without a code list tipos (several per cell when separated by line breaks
  or ``-`` bullets). The code may be in three columns or in one (split with the entity's
  :class:`~archive.domain.codes.CodeMask`). Reading stops at CONVENCIONES or the signatures.
  Retention cells merged down over the tipo rows are read from the merged range.
- **Flat layout** (ORFEO ``6-subserries.csv``): one row per subserie, the serie name on every row,
  the disposition and soporte as words. ORFEO identifies series by name only: pass
  ``series_codes`` (:func:`read_series_catalog` reads ORFEO's ``5-series.csv``).

Column headers are recognised by folded (accent- and case-insensitive) synonyms. When they are
not, :class:`TrdHeaderNotRecognised` carries the best candidate row and its columns so the GUI
can ask for a :class:`ColumnMapping` and call again with it.

All-or-nothing: every problem becomes a :class:`~archive.domain.errors.RowProblem` (row, column
header, reason), raised together in one :class:`~archive.domain.errors.ImportFileError`.

A serie without subseries carries its retention in one :class:`TrdSubserie` whose code has
``subserie == ""``. ``CodeParts.dependencia`` is ``""`` when neither the rows, the header block
nor the ``dependencia`` argument say which office the table belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils.cell import get_column_letter

from archive.domain.codes import CodeMask, CodeParts, parse_code, render_code
from archive.domain.disposition import (
    Disposition,
    check_disposition,
    is_marked,
    parse_disposition_words,
)
from archive.domain.errors import ImportFileError, RowProblem, ValidationError
from archive.domain.retention import (
    Soporte,
    TrdSeries,
    TrdSubserie,
    TvdSerie,
    check_years,
    parse_soporte_words,
)
from archive.i18n import N_, _
from archive.io.tabular import Row, Table, fold, read_table
from archive.io.trd_columns import (
    FIELD_LABELS,
    ColumnMapping,
    TrdField,
    TrdHeaderNotRecognised,
    detect_columns,
    read_header_block,
    read_series_catalog,
)

F = TrdField
__all__ = [
    "FIELD_LABELS",
    "ColumnMapping",
    "TrdField",
    "TrdHeaderNotRecognised",
    "TrdSeries",
    "TrdSubserie",
    "TrdTable",
    "TvdSerie",
    "TvdTable",
    "detect_columns",
    "parse_trd",
    "parse_trd_table",
    "parse_tvd",
    "read_series_catalog",
    "split_tipos",
]


_MARKS = {F.CT: Disposition.CT, F.E: Disposition.E, F.MD: Disposition.MD, F.S: Disposition.S}
_MARK_CODES = {F.CT: "CT", F.E: "E", F.MD: "M/D", F.S: "S", F.PAPEL: "P", F.ELECTRONICO: "EL"}
_MARK_CODES[F.OTROS] = "O"
_SOPORTE_MARKS = {F.PAPEL: Soporte.PAPEL, F.ELECTRONICO: Soporte.ELECTRONICO}
_SOPORTE_MARKS[F.OTROS] = Soporte.OTROS
_RETENTION = (F.AG, F.AC, F.DISPOSITION, *_MARKS, F.PROCEDURE)


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
class TvdTable:
    """A parsed TVD (one historical period of the organic structure)."""

    entidad: str
    oficina_productora: str
    oficina_code: str
    periodo: str
    series: tuple[TvdSerie, ...]
    file: str
    mapping: ColumnMapping


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


def _discarded(row: Row) -> _Entry:
    """A stand-in for a row that failed, so its tipo rows do not cause more problems."""
    return _Entry(CodeParts("", ""), "", row.number, [])


class _Parser:
    """One pass over the data rows, collecting series, entries and problems."""

    def __init__(
        self, table: Table, mapping: ColumnMapping, labels: list[str], kind: str, mask: CodeMask
    ) -> None:
        self.t, self.cols, self.kind, self.mask = table, dict(mapping.columns), kind, mask
        self.start = mapping.data_start_row
        self.labels = {
            f: (labels[j] if j < len(labels) else "")
            or _("Columna {letter}").format(letter=get_column_letter(j + 1))
            for f, j in self.cols.items()
        }
        marks = [f for f in _MARKS if f in self.cols]
        if F.DISPOSITION not in self.labels and marks:
            parent = self.labels[marks[0]].rpartition(" / ")[0]
            self.labels[F.DISPOSITION] = parent or ", ".join(self.labels[f] for f in marks)
        self.default_dep = ""
        self.catalog: dict[str, str] = {}
        self.flat = F.SERIE_NAME in self.cols
        self.problems: list[RowProblem] = []
        self.series: dict[CodeParts, _Serie] = {}
        self.entries: dict[CodeParts, _Entry] = {}
        self.header_cells = [r.cells for r in table.rows if self.start - 3 < r.number < self.start]

    def fail(self, row: int, fld: TrdField, code: str, template: str, /, **params: Any) -> None:
        self.problems.append(
            RowProblem(row, self.labels.get(fld, fld.value), code, template, params)
        )

    def fail_with(self, row: int, fld: TrdField, err: ValidationError) -> None:
        self.fail(row, fld, err.code, err.template, **err.params)

    def raw(self, row: Row, fld: TrdField) -> str:
        return row.get(self.cols[fld]) if fld in self.cols else ""

    def cell(self, row: Row, fld: TrdField) -> str:
        """Merged-aware value, for rows that carry a code (retention merged over tipo rows)."""
        return self.t.merged_value(row.number, self.cols[fld]) if fld in self.cols else ""

    def show(self, code: CodeParts) -> str:
        """A code as the entity writes it, for messages."""
        if not code.dependencia:
            return self.mask.sep_serie_sub.join(p for p in (code.serie, code.subserie) if p)
        try:
            return render_code(code.dependencia, code.serie, code.subserie, self.mask)
        except ValidationError:
            return "/".join(p for p in (code.dependencia, code.serie, code.subserie) if p)

    def code_field(self) -> TrdField:
        return next((f for f in (F.CODE, F.SUBSERIE, F.SERIE) if f in self.cols), F.SERIE_NAME)

    def run(self) -> None:
        serie: _Serie | None = None
        entry: _Entry | None = None
        for row in self.t.rows:
            if row.number < self.start or self._is_header_repeat(row):
                continue
            first = fold(next(c for c in row.cells if c).partition(":")[0])
            if first.startswith("convenciones") or first in _STOP:
                break
            code_text = self.raw(row, F.CODE)
            try:
                parts = parse_code(code_text, self.mask) if code_text else None
                code = parts or CodeParts(
                    self.cell(row, F.DEPENDENCIA), self.raw(row, F.SERIE), self.raw(row, F.SUBSERIE)
                )
            except ValidationError as err:
                self.fail_with(row.number, self.code_field(), err)
                entry = _discarded(row)  # its tipo rows go with it, without more problems
                continue
            has_ret = any(self.raw(row, f) for f in _RETENTION)
            if self.flat:
                serie, entry = self._flat_row(row, code, has_ret)
            elif code.serie or code.subserie:
                serie, entry = self._nested_row(row, code, serie, has_ret)
            elif has_ret:
                template = N_("La fila tiene datos de retención pero no tiene código.")
                self.fail(row.number, self.code_field(), "trd.row_without_code", template)
            elif tipos := split_tipos(self.raw(row, F.NAME) or self.raw(row, F.TIPOS)):
                if entry is None:
                    template = N_("Tipo documental sin una serie o subserie con retención encima.")
                    self.fail(row.number, F.NAME, "trd.tipo_without_subserie", template)
                else:
                    entry.tipos += tipos
        self._finish()

    def _is_header_repeat(self, row: Row) -> bool:
        return any(
            sum(1 for j, c in enumerate(cells) if c and c == row.get(j)) >= 3
            for cells in self.header_cells
        )

    def _serie(self, row: Row, code: CodeParts, name: str) -> _Serie:
        key = code.serie_parts
        found = self.series.get(key)
        if found is None:
            found = self.series[key] = _Serie(key, name, row.number)
        elif name and fold(name) != fold(found.name):
            template = N_("La serie {code} ya se llamó «{first}» en la fila {first_row}.")
            fld = F.SERIE_NAME if self.flat else F.NAME
            self.fail(
                row.number,
                fld,
                "trd.serie_name_conflict",
                template,
                code=self.show(key),
                first=found.name,
                first_row=found.row,
            )
        return found

    def _flat_row(self, row: Row, code: CodeParts, has_ret: bool) -> tuple[_Serie | None, None]:
        serie_name = self.raw(row, F.SERIE_NAME)
        sub_name = self.raw(row, F.SUBSERIE_NAME) or self.raw(row, F.NAME)
        serie_code = code.serie or self.catalog.get(fold(serie_name), "")
        if not serie_code:
            template = N_("No se conoce el código de la serie «{name}».")
            self.fail(row.number, F.SERIE_NAME, "trd.serie_code_unknown", template, name=serie_name)
            return None, None
        code = CodeParts(code.dependencia or self.default_dep, serie_code, code.subserie)
        serie = self._serie(row, code, serie_name)
        if sub_name and not code.subserie and F.SUBSERIE in self.cols:
            template = N_("La subserie «{name}» no tiene código.")
            self.fail(row.number, F.SUBSERIE, "trd.subserie_code_missing", template, name=sub_name)
        elif has_ret or code.subserie:
            self._entry(row, code, sub_name or serie_name, serie)
        return serie, None  # flat files have no tipo rows

    def _nested_row(
        self, row: Row, code: CodeParts, serie: _Serie | None, has_ret: bool
    ) -> tuple[_Serie | None, _Entry | None]:
        lines = self.raw(row, F.NAME).split("\n")
        cut = next((i for i, ln in enumerate(lines) if i and re.match(r"[-•·*–]", ln)), len(lines))
        name, extra = " ".join(lines[:cut]), split_tipos("\n".join(lines[cut:]))
        entry: _Entry | None = None
        if not code.subserie:
            dep = code.dependencia or self.default_dep
            serie = self._serie(row, CodeParts(dep, code.serie), name)
            entry = self._entry(row, serie.code, name, serie) if has_ret else None
        else:
            above = serie.code if serie else CodeParts("", "")
            dep = code.dependencia or above.dependencia or self.default_dep
            code = CodeParts(dep, code.serie or above.serie, code.subserie)
            if code.serie_parts not in self.series:
                template = N_("La subserie {code} no tiene encima la fila de su serie.")
                self.fail(
                    row.number,
                    self.code_field(),
                    "trd.subserie_without_serie",
                    template,
                    code=self.show(code),
                )
                return serie, _discarded(row)
            serie = self.series[code.serie_parts]
            entry = self._entry(row, code, name, serie)
        if entry is not None:
            entry.tipos += extra
        return serie, entry

    def _entry(self, row: Row, code: CodeParts, name: str, serie: _Serie) -> _Entry:
        first = self.entries.get(code)
        if first is not None:
            shown = self.show(code)
            template = N_("El código {code} está repetido (ya está en la fila {first_row}).")
            self.fail(
                row.number,
                self.code_field(),
                "trd.duplicate_code",
                template,
                code=shown,
                first_row=first.row,
            )
            return _discarded(row)
        entry = _Entry(code, name, row.number, split_tipos(self.raw(row, F.TIPOS)))
        entry.ag = self._years(row, F.AG) if self.kind == "trd" else 0
        entry.ac = self._years(row, F.AC)
        entry.procedure = self.cell(row, F.PROCEDURE)
        entry.disposition = self._disposition(row, entry.procedure)
        entry.soporte = self._soporte(row)
        self.entries[code] = entry
        serie.entries.append(entry)
        return entry

    def _years(self, row: Row, fld: TrdField) -> int:
        text = self.cell(row, fld)
        if not text:
            self.fail(row.number, fld, "trd.years_missing", N_("Faltan los años de retención."))
            return 0
        m = _YEARS.fullmatch(text.casefold().replace("ñ", "n"))
        try:
            return check_years(int(m[1]) if m else text, fld.value.upper())
        except ValidationError as err:
            self.fail_with(row.number, fld, err)
            return 0

    def _disposition(self, row: Row, procedure: str) -> Disposition:
        marks = [f for f in _MARKS if f in self.cols]
        words = self.cell(row, F.DISPOSITION)
        flags, failed = Disposition.NONE, False
        if marks and (not words or any(self.cell(row, f) for f in marks)):
            for fld in marks:
                try:
                    if is_marked(self.cell(row, fld), _MARK_CODES[fld]):
                        flags |= _MARKS[fld]
                except ValidationError as err:
                    self.fail_with(row.number, fld, err)
                    failed = True
        else:
            try:
                flags = parse_disposition_words(words)
            except ValidationError as err:
                self.fail_with(row.number, F.DISPOSITION, err)
                failed = True
        for rule in check_disposition(flags, procedure):
            if "procedure" in rule.code or not failed:
                fld = F.PROCEDURE if "procedure" in rule.code else F.DISPOSITION
                self.fail_with(row.number, fld, rule)
        return flags

    def _soporte(self, row: Row) -> frozenset[Soporte]:
        found: set[Soporte] = set()
        for fld, sop in _SOPORTE_MARKS.items():
            try:
                if fld in self.cols and is_marked(self.cell(row, fld), _MARK_CODES[fld]):
                    found.add(sop)
            except ValidationError as err:
                self.fail_with(row.number, fld, err)
        try:
            found |= parse_soporte_words(self.cell(row, F.SOPORTE))
        except ValidationError as err:
            self.fail_with(row.number, F.SOPORTE, err)
        return frozenset(found)

    def _finish(self) -> None:
        name_field = F.SERIE_NAME if self.flat else F.NAME
        for serie in self.series.values():
            if not serie.entries:
                template = N_("La serie {code} no tiene retención ni subseries.")
                self.fail(
                    serie.row,
                    name_field,
                    "trd.serie_without_retention",
                    template,
                    code=self.show(serie.code),
                )
            elif len(serie.entries) > 1 and any(not e.code.subserie for e in serie.entries):
                template = N_("La serie {code} tiene retención propia y además subseries.")
                self.fail(
                    serie.row,
                    name_field,
                    "trd.serie_retention_and_subseries",
                    template,
                    code=self.show(serie.code),
                )
        if self.problems:
            self.problems.sort(key=lambda p: p.row)
            raise ImportFileError(
                "trd.invalid",
                N_("El archivo {file} tiene {count} problemas; no se importó nada."),
                file=self.t.file,
                problems=self.problems,
            )
        if not self.series:
            raise ImportFileError(
                "trd.no_rows", N_("El archivo {file} no tiene series."), file=self.t.file
            )


# --- public entry points --------------------------------------------------------------------


def _parse(
    table: Table,
    kind: str,
    mask: CodeMask,
    mapping: ColumnMapping | None,
    dependencia: str | None,
    series_codes: Mapping[str, str] | None,
) -> tuple[_Parser, dict[str, str]]:
    if mapping is None:
        mapping, labels = detect_columns(table, kind)
    else:
        above = table.row(mapping.data_start_row - 1)
        labels = [c.replace("\n", " ") for c in above.cells] if above else []
    keys = mapping.columns.keys()
    if F.SERIE_NAME in keys and not keys & {F.CODE, F.SERIE} and not series_codes:
        raise ImportFileError(
            "trd.series_codes_needed",
            N_(
                "El archivo {file} nombra las series sin su código; indique también el archivo "
                "de series (código y nombre)."
            ),
            file=table.file,
        )
    info = read_header_block([r for r in table.rows if r.number < mapping.data_start_row])
    parser = _Parser(table, mapping, labels, kind, mask)
    parser.catalog = {fold(k): v for k, v in (series_codes or {}).items()}
    for candidate in (info.get("codigo", ""), dependencia or ""):
        try:
            parser.default_dep = CodeParts(candidate, "").dependencia
        except ValidationError:
            continue
        if parser.default_dep:
            break
    parser.run()
    return parser, info


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
        ImportFileError: ``trd.invalid`` with every row problem; ``trd.no_rows``;
            ``trd.series_codes_needed``.
    """
    parser, info = _parse(table, "trd", mask, mapping, dependencia, series_codes)
    series = tuple(
        TrdSeries(s.code, s.name, tuple(_subserie(e) for e in s.entries), s.row)
        for s in parser.series.values()
    )
    return TrdTable(
        entidad=info.get("entidad", ""),
        unidad_administrativa=info.get("unidad", ""),
        oficina_productora=info.get("oficina", ""),
        oficina_code=info.get("codigo", ""),
        series=series,
        file=table.file,
        mapping=ColumnMapping(parser.cols, parser.start),
        encoding=table.encoding,
        sheet=table.sheet,
    )


def _subserie(e: _Entry) -> TrdSubserie:
    return TrdSubserie(
        e.code, e.name, e.ag, e.ac, e.disposition, e.soporte, e.procedure, tuple(e.tipos), e.row
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
    """Read and parse a TRD file (XLSX or CSV); arguments as :func:`parse_trd_table`.

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
    """Read and parse a TVD: like a TRD but with AC years only and a PERIODO in the header.

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
    parser, info = _parse(table, "tvd", mask, mapping, dependencia, None)
    series = tuple(
        TvdSerie(e.code, s.name, e.name, e.ac, e.disposition, e.procedure, e.row)
        for s in parser.series.values()
        for e in s.entries
    )
    return TvdTable(
        entidad=info.get("entidad", ""),
        oficina_productora=info.get("oficina", ""),
        oficina_code=info.get("codigo", ""),
        periodo=info.get("periodo", ""),
        series=series,
        file=table.file,
        mapping=ColumnMapping(parser.cols, parser.start),
    )
