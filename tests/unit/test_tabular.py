"""Reading spreadsheet-ish files: XLSX, CSV dialects and encodings, normalisation, errors."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from archive.domain.errors import ImportFileError
from archive.io.tabular import (
    MergedRange,
    Row,
    Table,
    fill_merged,
    fold,
    normalize_cell,
    read_table,
    sheet_names,
)

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "trd"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (2.0, "2"),
        (2, "2"),
        (-3.0, "-3"),
        (2.5, "2.5"),
        (0.1 + 0.2, "0.3"),
        (True, "1"),
        (False, "0"),
        (datetime(2024, 2, 29, 0, 0), "2024-02-29"),
        (datetime(2024, 2, 29, 10, 30), "2024-02-29 10:30:00"),
        (date(2024, 2, 29), "2024-02-29"),
        ("  Actas   de\tcomité  ", "Actas de comité"),
        ("Citación\r\n\r\n  Acta \rAnexos\n", "Citación\nActa\nAnexos"),
        ("a\u00a0b", "a b"),
    ],
)
def test_normalize_cell(value: object, text: str) -> None:
    assert normalize_cell(value) == text


@pytest.mark.parametrize(
    ("label", "folded"),
    [
        ("RETENCIÓN (en años)", "retencion en anos"),
        ("M/D", "m d"),
        ("A.G", "ag"),
        ("Consecutivo de la  subserie", "consecutivo de la subserie"),
        ("SERIES, SUBSERIES Y TIPOS DOCUMENTALES", "series subseries y tipos documentales"),
        ("Disposición\nFinal", "disposicion final"),
    ],
)
def test_fold(label: str, folded: str) -> None:
    assert fold(label) == folded


def _xlsx(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "TRD"
    ws["A1"] = "ENTIDAD PRODUCTORA:"
    ws["C1"] = "  Alcaldía   de Prueba "
    ws.merge_cells("A1:B1")
    ws.merge_cells("C1:E1")
    ws["A3"] = 100
    ws["B3"] = 2.0
    ws["C3"] = "Actas\nde comité"
    ws["D3"] = datetime(2024, 2, 29)
    ws["E3"] = True
    ws["A4"] = "  "  # blank after stripping: row 4 is left out
    ws["A5"] = None
    ws["B5"] = 8
    ws.merge_cells("B5:B7")
    ws["A8"] = "fin"
    other = wb.create_sheet("Otra")
    other["A1"] = "segunda hoja"
    wb.save(path)
    return path


def test_xlsx_rows_numbers_and_merges(tmp_path: Path) -> None:
    table = read_table(_xlsx(tmp_path / "libro.xlsx"))
    assert (table.kind, table.sheet, table.encoding, table.file) == (
        "xlsx",
        "TRD",
        None,
        "libro.xlsx",
    )
    assert table.rows == (
        Row(1, ("ENTIDAD PRODUCTORA:", "", "Alcaldía de Prueba")),
        Row(3, ("100", "2", "Actas\nde comité", "2024-02-29", "1")),
        Row(5, ("", "8")),
        Row(8, ("fin",)),
    )
    assert set(table.merged) == {
        MergedRange(1, 0, 1, 1),
        MergedRange(1, 2, 1, 4),
        MergedRange(5, 1, 7, 1),
    }
    assert table.width == 5
    assert table.row(3) is not None and table.row(3).get(9) == ""
    assert table.row(2) is None
    assert table.merged_value(6, 1) == "8"  # inside B5:B7
    assert table.merged_value(1, 4) == "Alcaldía de Prueba"
    assert table.merged_value(6, 0) == ""


def test_fill_merged(tmp_path: Path) -> None:
    filled = fill_merged(read_table(_xlsx(tmp_path / "libro.xlsx")))
    assert [r.number for r in filled.rows] == [1, 3, 5, 6, 7, 8]
    assert filled.row(1) == Row(
        1,
        (
            "ENTIDAD PRODUCTORA:",
            "ENTIDAD PRODUCTORA:",
            "Alcaldía de Prueba",
            "Alcaldía de Prueba",
            "Alcaldía de Prueba",
        ),
    )
    assert filled.row(6) == Row(6, ("", "8"))
    table = Table("x.csv", "text", (Row(1, ("a",)),))
    assert fill_merged(table) is table


def test_sheet_selection(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "libro.xlsx")
    assert sheet_names(path) == ["TRD", "Otra"]
    assert read_table(path, sheet="Otra").rows == (Row(1, ("segunda hoja",)),)
    assert read_table(path, sheet=1).sheet == "Otra"
    with pytest.raises(ImportFileError) as info:
        read_table(path, sheet="TVD")
    assert (info.value.code, info.value.params["sheet"]) == ("tabular.sheet_not_found", "TVD")
    assert sheet_names(SAMPLES / "orfeo_series.csv") == []


@pytest.mark.parametrize(
    ("content", "delimiter"),
    [
        ("a;b;c\n1;2,5;3\n", ";"),
        ("a,b,c\n1,2,3\n", ","),
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ('"x;y",b,c\n1,2,3\n', ","),
        ("Código;Nombre, con coma;AG\n1;Actas, varias;2\n2;Otras;3\n", ";"),
        ("solo\nuna\ncolumna\n", ";"),
    ],
)
def test_delimiter_sniffing(tmp_path: Path, content: str, delimiter: str) -> None:
    path = tmp_path / "f.csv"
    path.write_text(content, encoding="utf-8")
    assert read_table(path).delimiter == delimiter


@pytest.mark.parametrize(
    ("data", "encoding", "text"),
    [
        ("Año;Gestión\n".encode("utf-8-sig"), "utf-8-sig", "Año"),
        ("Año;Gestión\n".encode(), "utf-8", "Año"),
        ("Año;Gestión\n".encode("cp1252"), "cp1252", "Año"),
        ("Año;Gestión “x”\n".encode("cp1252"), "cp1252", "Año"),
        (b"A\x81o;Gesti\xf3n\n", "latin-1", "A\x81o"),  # 0x81 is undefined in cp1252
        ("Año\tGestión\n".encode("utf-16"), "utf-16", "Año"),
    ],
)
def test_encodings(tmp_path: Path, data: bytes, encoding: str, text: str) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    table = read_table(path)
    assert table.encoding == encoding
    assert table.rows[0].cells[0] == text


def test_excel_separator_hint_line(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"sep=,\r\na;b,c\r\n1;2,3\r\n")
    table = read_table(path)
    assert table.delimiter == ","
    assert table.rows == (Row(1, ("a;b", "c")), Row(2, ("1;2", "3")))


def test_csv_record_numbers_blank_lines_and_quoted_newlines(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b'a;b\r\n\r\n1;"dos\r\nl\xc3\xadneas"\r\n;;\r\n  x  ;  y   z \r\n')
    assert read_table(path).rows == (
        Row(1, ("a", "b")),
        Row(3, ("1", "dos\nlíneas")),
        Row(5, ("x", "y z")),
    )


def _error(path: Path) -> ImportFileError:
    with pytest.raises(ImportFileError) as info:
        read_table(path)
    return info.value


def test_committed_empty_and_garbage_fixtures() -> None:
    assert _error(SAMPLES / "vacio.csv").code == "tabular.empty"
    assert _error(SAMPLES / "vacio.xlsx").code == "tabular.empty"
    garbage = _error(SAMPLES / "basura.xlsx")
    assert (garbage.code, garbage.file) == ("tabular.not_spreadsheet", "basura.xlsx")
    assert garbage.untranslated() == (
        "El archivo basura.xlsx no es una hoja de cálculo (XLSX) ni un archivo de texto (CSV)."
    )


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("blanco.csv", b"  \r\n\r\n\xef\xbb\xbf", "tabular.empty"),
        ("solo_separadores.csv", b";;\r\n;;\r\n", "tabular.empty"),
        ("binario.csv", bytes(range(256)) * 4, "tabular.not_spreadsheet"),
        ("nulos.csv", b"a;b\x00\x00c\n", "tabular.not_spreadsheet"),
        (
            "viejo.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
            "tabular.xls_unsupported",
        ),
        (
            "clave.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + b"\x00" * 64
            + "EncryptedPackage".encode("utf-16-le"),
            "tabular.xlsx_encrypted",
        ),
        ("texto.xlsx", b"esto no es excel;1;2\n", "tabular.not_spreadsheet"),
    ],
)
def test_bad_files(tmp_path: Path, name: str, data: bytes, code: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    error = _error(path)
    assert (error.code, error.file, error.problems) == (code, name, [])


def test_truncated_xlsx_is_corrupt(tmp_path: Path) -> None:
    good = _xlsx(tmp_path / "libro.xlsx").read_bytes()
    bad = tmp_path / "dañado.xlsx"
    bad.write_bytes(good[: len(good) // 2])
    assert _error(bad).code == "tabular.xlsx_corrupt"


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "otra.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hola.txt", "hola")
    path.write_bytes(buffer.getvalue())
    assert _error(path).code == "tabular.xlsx_corrupt"


def test_opendocument_is_named(tmp_path: Path) -> None:
    path = tmp_path / "trd.ods"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    path.write_bytes(buffer.getvalue())
    assert _error(path).code == "tabular.ods_unsupported"


def test_missing_file(tmp_path: Path) -> None:
    error = _error(tmp_path / "no_existe.csv")
    assert (error.code, error.file) == ("tabular.unreadable", "no_existe.csv")
