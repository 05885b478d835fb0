"""Generate the TRD/TVD import fixtures in ``tests/samples/trd/`` (run from the project root).

    python tests/samples/make_trd_fixtures.py

The files imitate what Colombian entities really send, modelled on the ORFEO-SGD set-up files
(skinatech/orfeo-sgd, ``instalacion/parametrizador/files``) and the AGN TRD format
(AGN_NOTES §1): merged header blocks, two-row column headers, X marks, tipos documentales on
nested rows or in one cell, disposition written as words, ``;``-separated CSV in cp1252 or UTF-8
with BOM. Text fixtures are written byte for byte from literals; the XLSX ones are built with
openpyxl (their zip timestamps differ between runs, their cells do not). The tests check the
parsed content of the committed files; ``test_fixtures_are_reproducible`` regenerates them into
a temporary folder and compares.

:func:`build_agn_workbook` is also used by ``bench/bench_trd_import.py`` to build a large TRD.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

OUT = Path(__file__).resolve().parent / "trd"

# One AGN-layout row: (D, S, Sb, name, F, EL, AG, AC, CT, E, M/D, S, procedimiento).
AgnRow = tuple[object, ...]

PROC_CT_MD = (
    "Conservación total por su valor histórico para la memoria institucional. Cumplido el "
    "tiempo en archivo central se transfiere al Archivo Histórico y se digitaliza para consulta. "
    "Tiempos contados a partir del cierre del expediente."
)
PROC_E = (
    "Cumplido el tiempo de retención se elimina por método de picado, previa aprobación del "
    "Comité Institucional de Gestión y Desempeño y publicación del inventario."
)
PROC_S = (
    "Selección: muestra aleatoria simple del 10 % de los expedientes de cada vigencia, que se "
    "transfiere al Archivo Histórico; el resto se elimina por picado."
)

#: The AGN-layout TRD of one office (dependencia 110), rows 8-25 of the sheet.
AGN_ROWS: list[AgnRow] = [
    (110, 2, None, "ACTAS", *[None] * 9),
    (None, 2, 1, "Actas del Comité Institucional de Gestión y Desempeño", "X", None, 2, 8,
     "X", None, "X", None, PROC_CT_MD),
    (None, None, None, "Citación", *[None] * 9),
    (None, None, None, "Acta", *[None] * 9),
    (None, None, None, "Anexos", *[None] * 9),
    (None, 2, 2, "Actas del Comité de Archivo\n- Citación\n- Acta\n- Listado de asistencia",
     "X", "X", 2.0, 8, "x", None, "✓", None, PROC_CT_MD),
    (110, 14, None, "CONSECUTIVOS DE COMUNICACIONES OFICIALES", "X", None, 2, 3,
     None, "X", None, None, PROC_E),
    (None, None, None, "Comunicaciones oficiales enviadas\nComunicaciones oficiales recibidas",
     *[None] * 9),
    (110, 17, None, "INFORMES", *[None] * 9),
    (None, 17, 3, "Informes de Gestión", "X", None, 2, 8, None, None, None, "X", PROC_S),
    (None, None, None, "- Informe de gestión - Anexos", *[None] * 9),
    (None, None, 5, "Informes a Entes de Control", "X", "X", 2, 8, "X", None, None, None,
     PROC_CT_MD),
    (None, None, None, "Informe", *[None] * 9),
    (110, 31, None, "INSTRUMENTOS ARCHIVÍSTICOS", *[None] * 9),
    (None, 31, 1, "Tablas de Retención Documental", "X", "X", 2, 18, "X", None, "X", None,
     PROC_CT_MD),
    (None, None, None, "Tabla de Retención Documental", *[None] * 9),
    (None, None, None, "Acto administrativo de aprobación", *[None] * 9),
    (None, 31, 2, "Inventarios Documentales", "X", None, 2, 8, None, "x", None, None, PROC_E),
]  # fmt: skip

HEADER_TOP = ["CÓDIGO", None, None, "SERIES, SUBSERIES Y TIPOS DOCUMENTALES", "SOPORTE", None,
              "RETENCIÓN\n(en años)", None, "DISPOSICIÓN FINAL", None, None, None,
              "PROCEDIMIENTO"]  # fmt: skip
HEADER_SUB = ["D", "S", "Sb", None, "F", "EL", "AG", "AC", "CT", "E", "M/D", "S", None]
FIRST_DATA_ROW = 8


def _block(
    entidad: str, unidad: str, oficina: str, code: str
) -> list[tuple[int, list[object], list[str]]]:
    """(row, cells, merged ranges) of the title and header block."""
    # fmt: off
    return [
        (1, ["TABLA DE RETENCIÓN DOCUMENTAL"], ["A1:M1"]),
        (2, ["ENTIDAD PRODUCTORA:", None, None, entidad], ["A2:C2", "D2:M2"]),
        (3, ["UNIDAD ADMINISTRATIVA:", None, None, unidad, *[None] * 4, "HOJA:", None, "1 DE 1"],
         ["A3:C3", "D3:H3", "I3:J3", "K3:M3"]),
        (4, ["OFICINA PRODUCTORA:", None, None, oficina, *[None] * 4, "CÓDIGO:", None, code],
         ["A4:C4", "D4:H4", "I4:J4", "K4:M4"]),
    ]
    # fmt: on


def build_agn_workbook(
    path: Path,
    rows: Sequence[AgnRow] = AGN_ROWS,
    *,
    entidad: str = "ALCALDÍA MUNICIPAL DE SAN JUAN DEL CESAR",
    oficina: str = "OFICINA DE GESTIÓN DOCUMENTAL",
    code: str = "110",
    merge_retention: bool = True,
) -> None:
    """Write an AGN-layout TRD workbook: merged header block, two-row column headers, nested
    rows, AG/AC/procedure merged down over each subserie's tipo rows, CONVENCIONES footer."""
    wb = Workbook()
    ws = wb.active
    ws.title = "TRD 110"
    wrap = Alignment(wrap_text=True, vertical="center")
    for number, cells, merges in _block(entidad, "SECRETARÍA GENERAL", oficina, code):
        for col, value in enumerate(cells, start=1):
            if value is not None:
                ws.cell(number, col, value).font = Font(bold=True)
        for rng in merges:
            ws.merge_cells(rng)
    for col, (top, sub) in enumerate(zip(HEADER_TOP, HEADER_SUB, strict=True), start=1):
        if top is not None:
            ws.cell(6, col, top).alignment = wrap
        if sub is not None:
            ws.cell(7, col, sub)
    for rng in ("A6:C6", "D6:D7", "E6:F6", "G6:H6", "I6:L6", "M6:M7"):
        ws.merge_cells(rng)
    number = FIRST_DATA_ROW
    for number, row in enumerate(rows, start=FIRST_DATA_ROW):
        for col, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(number, col, value).alignment = wrap
    last = number
    if merge_retention:  # AG, AC and PROCEDIMIENTO merged down over the tipo rows
        starts = [FIRST_DATA_ROW + i for i, r in enumerate(rows) if r[6] is not None]
        for start in starts:
            end = start
            while end + 1 <= last and all(v is None for v in rows[end + 1 - FIRST_DATA_ROW][:3]):
                end += 1
            if end > start:
                for letter in "GHM":
                    ws.merge_cells(f"{letter}{start}:{letter}{end}")
    ws.merge_cells(f"A{FIRST_DATA_ROW}:A{last}")  # D written once for the whole office
    ws.cell(FIRST_DATA_ROW, 1, int(code) if code.isdigit() else code)
    ws.cell(last + 2, 1, "CONVENCIONES:")
    ws.cell(last + 2, 4, "CT: Conservación Total   E: Eliminación   M/D: Microfilmación o "
            "Digitalización   S: Selección   F: Físico   EL: Electrónico")  # fmt: skip
    ws.cell(last + 4, 1, "FIRMA RESPONSABLE:")
    ws.cell(last + 4, 4, "Jefe Oficina de Gestión Documental")
    for letter, width in zip(
        "ABCDEFGHIJKLM", (6, 6, 6, 48, 5, 5, 6, 6, 5, 5, 5, 5, 60), strict=True
    ):
        ws.column_dimensions[letter].width = width
    wb.properties.created = wb.properties.modified = datetime(2026, 1, 15, 8, 0, 0)
    wb.save(path)


def agn_csv_text(rows: Sequence[AgnRow] = AGN_ROWS) -> str:
    """The same TRD as Excel es-CO saves it as "CSV (delimitado por comas)": ``;``, merged
    cells only in their top-left cell, 2.0 shown as 2, ✓ (not in cp1252) typed as X."""

    def cell(value: object) -> str:
        text = "" if value is None else str(value)
        text = {"2.0": "2", "✓": "X"}.get(text, text)
        return f'"{text}"' if any(ch in text for ch in ';"\n') else text

    lines: list[list[object]] = [[] for _ in range(FIRST_DATA_ROW - 1)]
    for number, cells, _ in _block(
        "ALCALDÍA MUNICIPAL DE SAN JUAN DEL CESAR",
        "SECRETARÍA GENERAL",
        "OFICINA DE GESTIÓN DOCUMENTAL",
        "110",
    ):
        lines[number - 1] = list(cells)
    lines[5], lines[6] = list(HEADER_TOP), list(HEADER_SUB)
    lines += [list(r) for r in rows]
    lines += [[], ["CONVENCIONES:", None, None, "CT: Conservación Total   E: Eliminación"]]
    width = len(HEADER_TOP)
    return "".join(
        ";".join(cell(v) for v in (r + [None] * (width - len(r)))) + "\r\n" for r in lines
    )


ORFEO_SERIES = """Consecutivo serie;Nombre serie
2;ACCIONES CONSTITUCIONALES
3;ACTAS
11;DERECHOS DE PETICIÓN
15;HISTORIAS LABORALES
17;INFORMES
26;RESOLUCIONES
"""

ORFEO_SUBSERIES = (
    "Consecutivo de la fila;Nombre de la serie;Consecutivo de la  subserie;Nombre de la subserie;"
    "Años Archivo Gestión;Años Archivo Central;Disposición final;Soporte;Procedimiento\n"
    "1;ACCIONES CONSTITUCIONALES;1;ACCIONES DE TUTELA;2;8;CONSERVACION TOTAL;PAPEL;"
    '"Conservación total; documentan la garantía de derechos fundamentales.\n'
    'Tiempos contados a partir del cierre del expediente."\n'
    "2;ACCIONES CONSTITUCIONALES;2;ACCIONES POPULARES;2;8;C.TOTAL / M.TECNOLOGICO;"
    "PAPEL / ELECTRONICO;Conservación total y digitalización para consulta.\n"
    "3;ACTAS;1;ACTAS DE COMITÉ DE CONCILIACIÓN;3;7;M.TECNOLOGICO / SELECCION;PAPEL;"
    "Selección: muestra aleatoria del 10 % de las actas de cada vigencia; se digitaliza la "
    "muestra.\n"
    "4;DERECHOS DE PETICIÓN;1;DERECHOS DE PETICIÓN;2;5;ELIMINACION;Electronico;"
    "Eliminación por borrado seguro previa autorización del Comité.\n"
    "5;HISTORIAS LABORALES;1;HISTORIAS LABORALES;4;76;Conservación total;PAPEL;"
    "Se conservan 80 años contados desde el retiro del servidor (Circular AGN 004 de 2003).\n"
    "6;INFORMES;1;INFORMES DE GESTIÓN;2;3;SELECCION;ELECTRONICO;"
    "Selección del informe anual consolidado; se eliminan los parciales.\n"
    "7;RESOLUCIONES;1;RESOLUCIONES;2;18;CT;PAPEL / ELECTRONICO;"
    "Conservación total por su valor jurídico.\n"
)

ERRORS_CSV = """CÓDIGO;SERIE / SUBSERIE;TIPOS DOCUMENTALES;AG;AC;CT;E;M/D;S;PROCEDIMIENTO;SOPORTE
100-2;ACTAS;;;;;;;;;
100-2.1;Actas de comité;"Citación
Acta";2;8;X;;;;Conservar.;PAPEL
100-2.2;Actas de consejo;;dos;8;X;;;;Conservar.;PAPEL
100-2.3;Actas de junta;;2;-1;X;;;;Conservar.;PAPEL
100-2.4;Actas varias;;2.5;8;X;X;;;Conservar.;PAPEL
100-2.1;Actas duplicadas;;2;8;;X;;;Eliminar.;PAPEL
100-7.1;Contratos de obra;;2;18;X;;;;Conservar.;PAPEL
100-9;PLANES;;3;7;;;;X;;PAPEL
100.11;INFORMES;;2;3;X;;;;Conservar.;PAPEL
100-12;MANUALES;;2;3;;;X;;Digitalizar.;PAPEL
100-13;CIRCULARES;;2;3;;;;;Eliminar.;PAPEL
100-14;CONCEPTOS;;2;3;si;;;;;PAPEL
100-15;PROYECTOS;;2;3;X (ver nota);;;;Conservar.;PAPEL
;Fila sin código;;2;3;X;;;;Conservar.;PAPEL
100-16;PETICIONES;;;;;;;;;
100-17;ACUERDOS;;2;3;X;;;;Conservar.;PERGAMINO
100-18;DECRETOS;;2;10;X;;;;Conservar.;PAPEL
"""

UNKNOWN_HEADERS_CSV = """Clave;Agrupación documental;Plazo en oficina;Plazo en depósito;Destino final;Cómo se hace
100-2;ACTAS;;;;
100-2.1;Actas de comité;2;8;CT;Conservar en el archivo histórico.
100-2.2;Actas de consejo;2;8;E;Eliminar por picado.
"""

TVD_CSV = """ENTIDAD PRODUCTORA:;;CONCEJO MUNICIPAL DE SAN JUAN DEL CESAR;;;;;;
OFICINA PRODUCTORA:;;120 - SECRETARÍA DEL CONCEJO;;;;;;
PERIODO:;;1985-1999;;;;;;
;;;;;;;;
CÓDIGO;SERIE DOCUMENTAL;SUBSERIE DOCUMENTAL;RETENCIÓN AC;CT;E;M/D;S;PROCEDIMIENTO
120-2.1;ACTAS;Actas de sesiones plenarias;10;X;;X;;Conservación total y microfilmación.
120-2.2;ACTAS;Actas de comisiones;10;;;;X;Selección del 10 % por vigencia.
120-5;CORRESPONDENCIA;;5;;X;;;Eliminación por picado.
"""


def write_fixtures(out: Path = OUT) -> list[Path]:
    """Write every fixture into ``out`` and return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def text(name: str, content: str, encoding: str, newline: str = "\n") -> None:
        path = out / name
        path.write_bytes(content.replace("\n", newline).encode(encoding))
        written.append(path)

    build_agn_workbook(out / "trd_agn_110.xlsx")
    written.append(out / "trd_agn_110.xlsx")
    (out / "trd_agn_110_cp1252.csv").write_bytes(agn_csv_text().encode("cp1252"))
    written.append(out / "trd_agn_110_cp1252.csv")
    text("orfeo_series.csv", ORFEO_SERIES, "utf-8")
    text("orfeo_subseries_bom.csv", ORFEO_SUBSERIES, "utf-8-sig", "\r\n")
    text("trd_errores.csv", ERRORS_CSV, "utf-8")
    text("trd_encabezados_desconocidos.csv", UNKNOWN_HEADERS_CSV, "utf-8")
    text("tvd_concejo.csv", TVD_CSV, "cp1252", "\r\n")
    text("vacio.csv", "", "utf-8")
    empty = Workbook()
    empty.properties.created = empty.properties.modified = datetime(2026, 1, 15, 8, 0, 0)
    empty.save(out / "vacio.xlsx")
    written.append(out / "vacio.xlsx")
    (out / "basura.xlsx").write_bytes(random.Random(20260123).randbytes(3000))
    written.append(out / "basura.xlsx")
    return written


def big_trd_rows(subseries: int = 300, per_serie: int = 5, tipos: int = 3) -> list[AgnRow]:
    """A large AGN-layout TRD for the benchmark: ``subseries`` subseries with tipo rows."""
    rows: list[AgnRow] = []
    for s in range(1, subseries // per_serie + 1):
        rows.append((None, s, None, f"SERIE DOCUMENTAL NÚMERO {s}", *[None] * 9))
        for b in range(1, per_serie + 1):
            ct = (s + b) % 3 != 0
            rows.append((None, s, b, f"Subserie {s}.{b} de expedientes de gestión", "X",
                         "X" if b % 2 else None, 2, 8 + b, "X" if ct else None,
                         None if ct else "X", "X" if b == 1 else None, None,
                         PROC_CT_MD if ct else PROC_E))  # fmt: skip
            rows += [(None, None, None, f"Tipo documental {t}", *[None] * 9) for t in range(tipos)]
    return rows


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    for written_path in write_fixtures(target):
        print(written_path)
