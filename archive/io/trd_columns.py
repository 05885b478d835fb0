"""Recognise the columns and the header block of a TRD/TVD spreadsheet.

Column headers are matched by folded (accent- and case-insensitive) synonyms, on one row or on
two (a group label such as CÓDIGO, RETENCIÓN, DISPOSICIÓN FINAL or SOPORTE over its sub-columns
D/S/Sb, AG/AC, CT/E/M-D/S, P/EL). Single letters are ambiguous (S is a serie code under CÓDIGO
and selección under DISPOSICIÓN FINAL); without a group label they take the meaning of their
neighbours. When no row has every required column, :class:`TrdHeaderNotRecognised` carries the
best candidate so the GUI can let the user map the columns (:class:`ColumnMapping`).

Used by :mod:`archive.io.trd_import`, which re-exports the public names.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from archive.domain.errors import ImportFileError
from archive.i18n import N_, _
from archive.io.tabular import Row, Table, fold, read_table


class TrdField(enum.StrEnum):
    """What a column holds."""

    CODE = "code"  # the whole code in one cell, split with the mask
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
DISPOSITION_MARKS = (F.CT, F.E, F.MD, F.S)
SOPORTE_MARKS = (F.PAPEL, F.ELECTRONICO, F.OTROS)

#: Spanish names of the fields (gettext msgids), for messages and the column-mapping step.
FIELD_LABELS: dict[TrdField, str] = {
    F.CODE: N_("Código completo"),
    F.DEPENDENCIA: N_("Código de dependencia (D)"),
    F.SERIE: N_("Código de serie (S)"),
    F.SUBSERIE: N_("Código de subserie (Sb)"),
    F.NAME: N_("Series, subseries y tipos documentales"),
    F.SERIE_NAME: N_("Nombre de la serie"),
    F.SUBSERIE_NAME: N_("Nombre de la subserie"),
    F.TIPOS: N_("Tipos documentales"),
    F.AG: N_("Años en archivo de gestión (AG)"),
    F.AC: N_("Años en archivo central (AC)"),
    F.DISPOSITION: N_("Disposición final (texto)"),
    F.CT: N_("Conservación total (CT)"),
    F.E: N_("Eliminación (E)"),
    F.S: N_("Selección (S)"),
    F.MD: N_("Microfilmación o digitalización (M/D)"),
    F.SOPORTE: N_("Soporte (texto)"),
    F.PAPEL: N_("Soporte papel (F/P)"),
    F.ELECTRONICO: N_("Soporte electrónico (EL)"),
    F.OTROS: N_("Otros soportes"),
    F.PROCEDURE: N_("Procedimiento"),
}


@dataclass(frozen=True)
class ColumnMapping:
    """Which 0-based column holds each field, and the 1-based row where the data starts."""

    columns: Mapping[TrdField, int]
    data_start_row: int


class TrdHeaderNotRecognised(ImportFileError):
    """The column headers were not recognised; the GUI shows a column-mapping step.

    Attributes:
        header_row: 1-based row that looked most like a header (the first row when nothing was
            recognised; ``None`` only for a table without rows).
        columns: The labels of that row's columns (0-based positions).
        recognised: The fields recognised there, with their columns.
        missing: The required fields not found.
    """

    def __init__(
        self,
        file: str,
        header_row: int | None,
        columns: tuple[str, ...],
        recognised: dict[TrdField, int],
        missing: tuple[TrdField, ...],
    ) -> None:
        self.header_row, self.columns = header_row, columns
        self.recognised, self.missing = recognised, missing
        super().__init__(
            "trd.headers_not_recognised",
            N_("No se reconocen los encabezados de columna de {file}; faltan: {missing}."),
            file=file,
            missing="; ".join(_(FIELD_LABELS[f]) for f in missing),
            header_row=header_row,
        )


# --- header recognition ---------------------------------------------------------------------


def _kids(**groups: tuple[str, ...]) -> dict[str, TrdField]:
    return {k: TrdField[name] for name, keys in groups.items() for k in keys}


_CODE_KIDS = _kids(
    DEPENDENCIA=("d", "dp", "dep", "cd", "dependencia"),
    SERIE=("s", "ss", "cs", "serie"),
    SUBSERIE=("sb", "ssb", "sub", "subserie"),
)
_RET_KIDS = _kids(
    AG=("ag", "gestion", "archivo gestion", "archivo de gestion"),
    AC=("ac", "central", "archivo central"),
)
_DISP_KIDS = _kids(
    CT=("ct", "c t", "conservacion total"),
    E=("e", "eliminacion"),
    S=("s", "seleccion"),
    MD=("m", "d", "md", "m d", "mt", "microfilmacion", "digitalizacion", "medio tecnico"),
)
_SOP_KIDS = _kids(
    PAPEL=("f", "p", "f p", "fis", "fisico", "papel"),
    ELECTRONICO=("e", "el", "ele", "electronico", "digital"),
    OTROS=("o", "otro", "otros"),
)
_GROUPS = (
    (("codigo", "cod"), _CODE_KIDS),
    (("retencion", "tiempo", "permanencia"), _RET_KIDS),
    (("disposicion",), _DISP_KIDS),
    (("soporte",), _SOP_KIDS),
)
#: Letters whose meaning depends on the neighbouring columns (S: serie or selección...).
_AMBIGUOUS = {"d": (F.DEPENDENCIA, F.MD), "s": (F.SERIE, F.S), "e": (F.E, F.ELECTRONICO)}
_FAMILY = {f: 0 for f in (F.CODE, F.DEPENDENCIA, F.SERIE, F.SUBSERIE)}
_FAMILY |= {f: 1 for f in (F.DISPOSITION, *DISPOSITION_MARKS)}
_FAMILY |= {f: 2 for f in (F.SOPORTE, *SOPORTE_MARKS)}
_IGNORED = {"consecutivo de la fila", "fila", "item", "no", "n", "orden", "norma", "observaciones"}
_CODE_WORDS = {"codigo", "cod", "consecutivo", "numero", "no", "n"}
_YEAR_WORDS = {"ano", "anos", "archivo", "retencion", "tiempo"}


def classify_label(c: str) -> TrdField | str | None:
    """Classify a one-level header label already folded with :func:`~archive.io.tabular.fold`.

    Returns:
        The field, ``None`` for an unknown or ignored label, or the letter itself for a letter
        whose meaning depends on its neighbours (``"s"``: serie code or selección).
    """
    words = set(c.split())
    if not c or c in _IGNORED or c in _AMBIGUOUS:
        return c if c in _AMBIGUOUS else None
    if "procedimiento" in words:
        return F.PROCEDURE
    if c.startswith(("disposicion", "soporte")):
        return F.DISPOSITION if c.startswith("disposicion") else F.SOPORTE
    if c in ("ag", "ac"):
        return _RET_KIDS[c]
    for fld, key, short in ((F.AG, "gestion", "ag"), (F.AC, "central", "ac")):
        if (key in words or short in words) and words & (_YEAR_WORDS | {short}):
            return fld
    if "tipo" in c and "serie" not in c:
        return F.TIPOS
    if "subserie" in c and "serie" in c.replace("subserie", ""):
        return F.NAME
    if words & _CODE_WORDS:
        if "serie" in c:
            return F.SUBSERIE if "subserie" in c else F.SERIE
        return F.DEPENDENCIA if words & {"dependencia", "oficina"} else F.CODE
    if "serie" in c:
        return F.SUBSERIE_NAME if "subserie" in c else F.SERIE_NAME
    if c in ("cd", "sb", "ssb"):
        return _CODE_KIDS[c]
    if len(c) == 1:
        return {"m": F.MD, "p": F.PAPEL, "f": F.PAPEL}.get(c)
    return _DISP_KIDS.get(c) or _SOP_KIDS.get(c)


def _classify(parent: str, child: str) -> TrdField | str | None:
    for keys, kids in _GROUPS:
        if parent.startswith(keys) and child in kids:
            return kids[child]
    return classify_label(child)


def _resolve(found: list[TrdField | str | None]) -> list[TrdField | None]:
    """Give each ambiguous letter the family of its nearest recognised neighbour."""
    out = [f if isinstance(f, TrdField) else None for f in found]
    changed = True
    while changed:
        changed = False
        for j, f in enumerate(found):
            if out[j] is None and isinstance(f, str) and f in _AMBIGUOUS:
                near = [n for k in (j - 1, j + 1) if 0 <= k < len(out) and (n := out[k])]
                pick = [c for n in near for c in _AMBIGUOUS[f] if _FAMILY.get(n) == _FAMILY[c]]
                if pick:
                    out[j], changed = pick[0], True
    return out


def _missing(columns: Mapping[TrdField, int], kind: str) -> tuple[TrdField, ...]:
    keys = columns.keys()
    need = [F.NAME] if not keys & {F.NAME, F.SERIE_NAME, F.SUBSERIE_NAME} else []
    need += [F.CODE] if not keys & {F.CODE, F.SERIE, F.SUBSERIE, F.SERIE_NAME} else []
    need += [f for f in ((F.AG, F.AC) if kind == "trd" else (F.AC,)) if f not in keys]
    need += [F.DISPOSITION] if not keys & {F.DISPOSITION, *DISPOSITION_MARKS} else []
    return (*need, *([F.PROCEDURE] if F.PROCEDURE not in keys else []))


def _candidate(top: Row, below: Row | None) -> tuple[dict[TrdField, int], list[str]]:
    """Fields and labels of a one-row (``below`` None) or two-row header.

    On two rows, a sub-label belongs to the nearest group label at or left of it in the row
    above (merged group cells keep their text in the leftmost cell).
    """
    found: list[TrdField | str | None] = []
    labels: list[str] = []
    parent, grouped = "", False
    for j in range(max(len(top.cells), len(below.cells) if below else 0)):
        own, child = top.get(j), below.get(j) if below else ""
        parent = own or parent
        if child and child != own:
            p, c = fold(parent), fold(child)
            grouped = grouped or any(p.startswith(k) and c in kids for k, kids in _GROUPS)
            found.append(_classify(p, c))
            labels.append(f"{parent} / {child}" if parent else child)
        else:
            found.append(classify_label(fold(own)))
            labels.append(own)
    if below is not None and not grouped:
        return {}, []  # two header rows exist only to put sub-columns under a group label
    columns: dict[TrdField, int] = {}
    for j, f in enumerate(_resolve(found)):
        if f is not None:
            columns.setdefault(f, j)
    return columns, [label.replace("\n", " ") for label in labels]


def _wordy(cell: str) -> bool:
    return bool(cell) and not any(ch.isdigit() for ch in cell)


def detect_columns(table: Table, kind: str = "trd") -> tuple[ColumnMapping, list[str]]:
    """Find the header row(s) among the first 40 rows and map columns to fields.

    Args:
        table: Rows read by :func:`~archive.io.tabular.read_table`.
        kind: ``"trd"`` or ``"tvd"`` (a TVD has no AG column).

    Returns:
        The mapping and the column labels (``"RETENCIÓN / AG"`` for two-row headers).

    Raises:
        TrdHeaderNotRecognised: when no row has every required column.
    """
    best: tuple[tuple[int, ...], dict[TrdField, int], list[str], int] | None = None
    closest: tuple[int, dict[TrdField, int], list[str], int] | None = None
    for i, top in enumerate(table.rows[:40]):
        nxt = table.rows[i + 1] if i + 1 < len(table.rows) else None
        below = nxt if nxt and nxt.number == top.number + 1 else None
        for under in (None, below) if below else (None,):
            columns, labels = _candidate(top, under)
            last = (under or top).number
            # Label-like cells (no digits) tell a header row from a data row.
            wordy = sum(1 for c in (*top.cells, *(under.cells if under else ())) if _wordy(c))
            score = (0 if _missing(columns, kind) else 1, len(columns), wordy)
            if labels and (best is None or score > best[0]):
                best = (score, columns, labels, last + 1)
            if labels and (closest is None or 2 * len(columns) + wordy > closest[0]):
                closest = (2 * len(columns) + wordy, columns, labels, last)
    if best is None or not best[0][0]:
        _score, columns, labels, row = closest or (0, {}, [], None)
        missing = _missing(columns, kind)
        raise TrdHeaderNotRecognised(table.file, row, tuple(labels), columns, missing)
    return ColumnMapping(best[1], best[3]), best[2]


# --- header block ---------------------------------------------------------------------------


_BLOCK = {
    "entidad": ("entidad", "entidad productora", "nombre de la entidad"),
    "unidad": ("unidad administrativa", "seccion"),
    "oficina": ("oficina productora", "oficina", "dependencia", "dependencia productora"),
    "codigo": ("codigo dependencia", "codigo de la dependencia", "codigo oficina"),
    "periodo": ("periodo", "fechas extremas", "periodo historico"),
}
_BLOCK_EXACT = {phrase: key for key, phrases in _BLOCK.items() for phrase in phrases}


def _block_key(cell: str, oficina_in_row: bool) -> str | None:
    """The header-block key of a label cell: an exact label, or a label ending in ``:``."""
    label, colon, _rest = cell.partition(":")
    folded = fold(label)
    if folded in _BLOCK_EXACT:
        return _BLOCK_EXACT[folded]
    if folded in ("codigo", "cod") and oficina_in_row:
        return "codigo"  # not the quality-control "Código: F-GD-01" of the format itself
    if colon:
        return next((k for k, ps in _BLOCK.items() if folded.startswith(ps)), None)
    return None


def read_header_block(rows: list[Row]) -> dict[str, str]:
    """The header block above the table: keys ``entidad``, ``unidad``, ``oficina``,
    ``codigo``, ``periodo``.

    ENTIDAD / UNIDAD / OFICINA / CÓDIGO / PERIODO values: after ``:`` in the label cell, or
    in the next non-label cell of the row (merged value blocks keep their text leftmost)."""
    info: dict[str, str] = {}
    for row in rows:
        in_row = False
        for j, cell in enumerate(row.cells):
            key = _block_key(cell, in_row) if cell else None
            in_row = in_row or key == "oficina"
            if key is None or key in info:
                continue
            rest = (c for c in row.cells[j + 1 :] if c and _block_key(c, True) is None)
            value = cell.partition(":")[2].strip() or next(rest, "")
            info[key] = value.replace("\n", " ")
    m = re.fullmatch(r"(\d+)\s*[-–]\s*(\S.*)", info.get("oficina", ""))
    if m and not info.get("codigo"):
        info["codigo"], info["oficina"] = m[1], m[2]
    return info


def read_series_catalog(path: str | Path) -> dict[str, str]:
    """Read a serie catalogue (ORFEO ``5-series.csv``: ``Consecutivo serie;Nombre serie``).

    Returns:
        Serie name → serie code, for ``series_codes``.

    Raises:
        ImportFileError: ``trd.catalog_invalid`` when no code and name header row is found.
    """
    table = read_table(path)
    for head in table.rows[:10]:
        kinds = [classify_label(fold(c)) for c in head.cells]
        if F.SERIE in kinds and F.SERIE_NAME in kinds:
            code, name = kinds.index(F.SERIE), kinds.index(F.SERIE_NAME)
            body = (r for r in table.rows if r.number > head.number)
            return {r.get(name): r.get(code) for r in body if r.get(name) and r.get(code)}
    raise ImportFileError(
        "trd.catalog_invalid",
        N_("El archivo {file} no tiene columnas de código y nombre de serie."),
        file=table.file,
    )
