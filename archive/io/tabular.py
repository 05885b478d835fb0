"""Read a spreadsheet-ish file (XLSX or delimited text) into numbered rows of strings.

Everything importers read goes through :func:`read_table`:

- The kind is decided from the content, not the file name: XLSX (zip) through openpyxl in
  read-only mode; old ``.xls``, password-protected XLSX and OpenDocument files are refused with a
  specific message; anything else is decoded as text.
- Text: UTF-16 with a BOM, else UTF-8 (with or without BOM) tried strictly, else cp1252 (what a
  Spanish Windows Excel writes), else Latin-1; :attr:`Table.encoding` says which. The delimiter
  (``;``, ``,`` or tab) is chosen by how consistently each splits the first records, unless the
  file starts with Excel's ``sep=;`` hint line.
- Cells are normalised (:func:`normalize_cell`): blanks collapsed inside each line, line breaks
  kept as a single ``\\n`` (tipos documentales are often listed one per line), integral numbers
  without ``.0``, dates as ISO.
- Every :class:`Row` keeps its original 1-based number as the spreadsheet shows it (for a CSV,
  the record number); blank rows are left out.
- Merged ranges (XLSX) keep their value in the top-left cell only, as the file stores it;
  :meth:`Table.merged_value` and :func:`fill_merged` read through them.

Problems raise :class:`~archive.domain.errors.ImportFileError` naming the file.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from archive.domain.errors import ImportFileError
from archive.i18n import N_

_BLANKS = re.compile(r"[ \t\u00a0\u2007\u202f]+")
_DELIMITERS = (";", "\t", ",")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]+)(\d+):([A-Z]+)(\d+)\"")
_SNIFF_RECORDS = 50
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@dataclass(frozen=True)
class Row:
    """One non-blank row: its 1-based number in the file and its cells (0-based columns)."""

    number: int
    cells: tuple[str, ...]

    def get(self, column: int) -> str:
        """The cell at 0-based ``column``, ``""`` past the end of the row."""
        return self.cells[column] if 0 <= column < len(self.cells) else ""


@dataclass(frozen=True)
class MergedRange:
    """A merged block: 1-based rows (inclusive), 0-based columns (inclusive)."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int

    def __contains__(self, cell: tuple[int, int]) -> bool:
        row, col = cell
        return self.first_row <= row <= self.last_row and self.first_col <= col <= self.last_col


@dataclass(frozen=True)
class Table:
    """The rows of one sheet or text file, with how it was read."""

    file: str
    kind: str  # "xlsx" or "text"
    rows: tuple[Row, ...]
    merged: tuple[MergedRange, ...] = ()
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None

    @property
    def width(self) -> int:
        """The number of columns of the widest row."""
        return max((len(r.cells) for r in self.rows), default=0)

    @functools.cached_property
    def _by_number(self) -> dict[int, Row]:
        return {r.number: r for r in self.rows}

    def row(self, number: int) -> Row | None:
        """The row with that 1-based number, or ``None`` if it is blank or absent."""
        return self._by_number.get(number)

    @functools.cached_property
    def _merged_origin(self) -> dict[tuple[int, int], tuple[int, int]]:
        origin: dict[tuple[int, int], tuple[int, int]] = {}
        for rng in self.merged:
            for number in range(rng.first_row, rng.last_row + 1):
                for col in range(rng.first_col, rng.last_col + 1):
                    origin.setdefault((number, col), (rng.first_row, rng.first_col))
        return origin

    def merged_value(self, number: int, column: int) -> str:
        """The cell's own value, or the value of the merged range covering it (top-left)."""
        row = self.row(number)
        value = row.get(column) if row else ""
        if value or not self.merged:
            return value
        origin = self._merged_origin.get((number, column))
        top = self.row(origin[0]) if origin else None
        return top.get(origin[1]) if top and origin else ""


@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Fold a label for matching: no accents, case-folded, dots removed, other punctuation as
    single spaces (``"RETENCIÓN (en años)"`` → ``"retencion en anos"``, ``"M/D"`` → ``"m d"``,
    ``"A.G"`` → ``"ag"``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = plain.replace(".", "")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


def normalize_cell(value: Any) -> str:
    """A cell value as clean text.

    ``None`` → ``""``; ``2.0`` → ``"2"``; other floats with up to 15 significant digits (Excel's
    precision); ``True``/``False`` → ``"1"``/``"0"``; dates as ``YYYY-MM-DD`` (with the time
    when it is not midnight); text stripped, blanks collapsed inside each line, empty lines
    dropped, line breaks kept as ``\\n``.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.15g}"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    lines = (_BLANKS.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _error(code: str, template: str, name: str, **params: Any) -> ImportFileError:
    return ImportFileError(code, template, file=name, **params)


def _rows(raw_rows: Any) -> tuple[Row, ...]:
    rows: list[Row] = []
    for number, raw in enumerate(raw_rows, start=1):
        cells = [normalize_cell(v) for v in raw]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            rows.append(Row(number, tuple(cells)))
    return tuple(rows)


def read_table(path: str | Path, *, sheet: str | int | None = None) -> Table:
    """Read a spreadsheet or delimited text file.

    Args:
        path: The file.
        sheet: For XLSX, the sheet name or 0-based index; ``None`` means the first sheet.
            Ignored for text files.

    Returns:
        The table (non-blank rows with their original numbers).

    Raises:
        ImportFileError: ``tabular.unreadable`` (cannot open), ``tabular.empty``,
            ``tabular.not_spreadsheet`` (binary data that is no spreadsheet),
            ``tabular.xls_unsupported``, ``tabular.xlsx_encrypted``, ``tabular.ods_unsupported``,
            ``tabular.xlsx_corrupt``, ``tabular.sheet_not_found``.
    """
    path = Path(path)
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _error(
            "tabular.unreadable",
            N_("No se pudo leer el archivo {file}: {reason}"),
            name,
            reason=exc.strerror or str(exc),
        ) from exc
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise _error("tabular.empty", N_("El archivo {file} está vacío."), name)
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, name, sheet)
    if data.startswith(_OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise _error(
                "tabular.xlsx_encrypted",
                N_("El archivo {file} está protegido con contraseña; guárdelo sin contraseña."),
                name,
            )
        raise _error(
            "tabular.xls_unsupported",
            N_("El archivo {file} es de Excel 97-2003 (.xls); guárdelo como .xlsx o CSV."),
            name,
        )
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        raise _not_spreadsheet(name)
    return _read_text(data, name)


def _not_spreadsheet(name: str) -> ImportFileError:
    return _error(
        "tabular.not_spreadsheet",
        N_("El archivo {file} no es una hoja de cálculo (XLSX) ni un archivo de texto (CSV)."),
        name,
    )


def sheet_names(path: str | Path) -> list[str]:
    """The worksheet names of an XLSX file, in workbook order (``[]`` for a text file).

    Raises:
        ImportFileError: as :func:`read_table` for an unreadable or corrupt workbook.
    """
    path = Path(path)
    data = path.read_bytes()
    if not data.startswith(_ZIP_MAGIC):
        return []
    return [ws.title for ws in _open_workbook(data, path.name).worksheets]


def _open_workbook(data: bytes, name: str) -> Any:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and b"opendocument" in archive.read("mimetype"):
                raise _error(
                    "tabular.ods_unsupported",
                    N_("El archivo {file} es de OpenDocument (.ods); guárdelo como .xlsx o CSV."),
                    name,
                )
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged package
        raise _error(
            "tabular.xlsx_corrupt",
            N_("El archivo {file} está dañado o no es un libro de Excel válido."),
            name,
        ) from exc


def _read_xlsx(data: bytes, name: str, sheet: str | int | None) -> Table:
    wb = _open_workbook(data, name)
    try:
        titles = [ws.title for ws in wb.worksheets]
        index = 0
        if isinstance(sheet, int):
            index = sheet
        elif sheet is not None:
            index = titles.index(sheet) if sheet in titles else -1
        if not 0 <= index < len(titles):
            raise _error(
                "tabular.sheet_not_found",
                N_("El archivo {file} no tiene la hoja «{sheet}»."),
                name,
                sheet=str(sheet),
            )
        ws = wb.worksheets[index]
        ws.reset_dimensions()  # some writers store wrong dimensions; read every cell
        try:
            rows = _rows(ws.iter_rows(min_row=1, min_col=1, values_only=True))
        except Exception as exc:
            raise _error(
                "tabular.xlsx_corrupt",
                N_("El archivo {file} está dañado o no es un libro de Excel válido."),
                name,
            ) from exc
    finally:
        wb.close()
    if not rows:
        raise _error("tabular.empty", N_("El archivo {file} está vacío."), name)
    merged = _merged_ranges(data, index)
    return Table(name, "xlsx", rows, merged=merged, sheet=titles[index])


def _merged_ranges(data: bytes, index: int) -> tuple[MergedRange, ...]:
    """Merged ranges of the index-th worksheet, read from its XML part (the read-only mode of
    openpyxl does not expose them)."""
    from xml.etree import ElementTree

    from openpyxl.utils.cell import column_index_from_string

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        ids = [
            el.get(f"{{{_REL_NS}}}id", "") for el in workbook.iter() if el.tag.endswith("}sheet")
        ]
        targets = {el.get("Id", ""): el.get("Target", "") for el in rels}
        target = targets.get(ids[index], "") if index < len(ids) else ""
        if not target:
            return ()
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        xml = archive.read(part)
    return tuple(
        MergedRange(
            int(r1),
            column_index_from_string(c1.decode()) - 1,
            int(r2),
            column_index_from_string(c2.decode()) - 1,
        )
        for c1, r1, c2, r2 in _MERGE.findall(xml)
    )


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        text = data.decode("utf-8-sig")
        return text, ("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    controls = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\r\n") or ch == "\x7f")
    return controls > max(2, len(text) // 200)


def _sniff(text: str) -> str:
    """Pick the delimiter whose split of the first records is most consistent.

    Score: how many records have the modal field count (when it is more than one field), then
    that count; ties go to ``;`` (Excel es-CO), then tab, then ``,``.
    """
    best, best_score = ";", (0, 0)
    for delim in _DELIMITERS:
        counts: dict[int, int] = {}
        reader = csv.reader(io.StringIO(text), delimiter=delim)
        try:
            for i, record in enumerate(reader):
                if i >= _SNIFF_RECORDS:
                    break
                if any(cell.strip() for cell in record):
                    counts[len(record)] = counts.get(len(record), 0) + 1
        except csv.Error:
            continue
        if not counts:
            continue
        modal = max(counts, key=lambda k: (counts[k], k))
        score = (counts[modal], modal) if modal > 1 else (0, 0)
        if score > best_score:
            best, best_score = delim, score
    return best


def _read_text(data: bytes, name: str) -> Table:
    text, encoding = _decode(data)
    if _looks_binary(text):
        raise _not_spreadsheet(name)
    first, _newline, rest = text.partition("\n")
    if re.fullmatch(r"sep=[;,\t|]\r?", first):  # Excel's delimiter hint, not a row
        text, delimiter = rest, first[4]
    else:
        delimiter = _sniff(text)
    try:
        rows = _rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise _not_spreadsheet(name) from exc
    if not rows:
        raise _error("tabular.empty", N_("El archivo {file} está vacío."), name)
    return Table(name, "text", rows, encoding=encoding, delimiter=delimiter)


def fill_merged(table: Table) -> Table:
    """A copy where every cell of a merged range holds the range's top-left value.

    Useful for header blocks (ENTIDAD PRODUCTORA over several merged cells) and for two-row
    column headers; rows that only existed inside a merged range are created.
    """
    if not table.merged:
        return table
    grid: dict[int, list[str]] = {r.number: list(r.cells) for r in table.rows}
    for rng in table.merged:
        top = table.row(rng.first_row)
        value = top.get(rng.first_col) if top else ""
        if not value:
            continue
        for number in range(rng.first_row, rng.last_row + 1):
            cells = grid.setdefault(number, [])
            if len(cells) <= rng.last_col:
                cells.extend([""] * (rng.last_col + 1 - len(cells)))
            for col in range(rng.first_col, rng.last_col + 1):
                cells[col] = value
    rows = tuple(Row(n, tuple(grid[n])) for n in sorted(grid))
    return replace(table, rows=rows)
