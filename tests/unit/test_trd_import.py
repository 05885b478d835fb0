"""TRD/TVD import from the sample files in tests/samples/trd (one test per fixture at least)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from archive.domain.codes import CodeMask, CodeParts
from archive.domain.disposition import Disposition
from archive.domain.errors import ImportFileError
from archive.domain.retention import Soporte
from archive.i18n import render_problem
from archive.io.tabular import Row, Table, read_table
from archive.io.trd_import import (
    ColumnMapping,
    TrdField,
    TrdHeaderNotRecognised,
    TrdSeries,
    TrdSubserie,
    TvdSerie,
    detect_columns,
    parse_trd,
    parse_trd_table,
    parse_tvd,
    read_series_catalog,
    split_tipos,
)

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
TRD = SAMPLES / "trd"
MASK = CodeMask.from_pattern("dp-s.b")
CT, E, S, MD = Disposition.CT, Disposition.E, Disposition.S, Disposition.MD
PAPEL, ELEC = Soporte.PAPEL, Soporte.ELECTRONICO
F = TrdField


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_trd_fixtures", SAMPLES / "make_trd_fixtures.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _generator()


def _sub(code: tuple[str, str, str], name: str, ag: int, ac: int, disp: Disposition,
         soporte: set[Soporte], proc: str, tipos: tuple[str, ...], row: int) -> TrdSubserie:  # fmt: skip
    return TrdSubserie(CodeParts(*code), name, ag, ac, disp, frozenset(soporte), proc, tipos, row)


AGN_SERIES = (
    TrdSeries(CodeParts("110", "2"), "ACTAS", (
        _sub(("110", "2", "1"), "Actas del Comité Institucional de Gestión y Desempeño", 2, 8,
             CT | MD, {PAPEL}, GEN.PROC_CT_MD, ("Citación", "Acta", "Anexos"), 9),
        _sub(("110", "2", "2"), "Actas del Comité de Archivo", 2, 8, CT | MD, {PAPEL, ELEC},
             GEN.PROC_CT_MD, ("Citación", "Acta", "Listado de asistencia"), 13),
    ), 8),
    TrdSeries(CodeParts("110", "14"), "CONSECUTIVOS DE COMUNICACIONES OFICIALES", (
        _sub(("110", "14", ""), "CONSECUTIVOS DE COMUNICACIONES OFICIALES", 2, 3, E, {PAPEL},
             GEN.PROC_E, ("Comunicaciones oficiales enviadas",
                          "Comunicaciones oficiales recibidas"), 14),
    ), 14),
    TrdSeries(CodeParts("110", "17"), "INFORMES", (
        _sub(("110", "17", "3"), "Informes de Gestión", 2, 8, S, {PAPEL}, GEN.PROC_S,
             ("Informe de gestión", "Anexos"), 17),
        _sub(("110", "17", "5"), "Informes a Entes de Control", 2, 8, CT, {PAPEL, ELEC},
             GEN.PROC_CT_MD, ("Informe",), 19),
    ), 16),
    TrdSeries(CodeParts("110", "31"), "INSTRUMENTOS ARCHIVÍSTICOS", (
        _sub(("110", "31", "1"), "Tablas de Retención Documental", 2, 18, CT | MD, {PAPEL, ELEC},
             GEN.PROC_CT_MD, ("Tabla de Retención Documental",
                              "Acto administrativo de aprobación"), 22),
        _sub(("110", "31", "2"), "Inventarios Documentales", 2, 8, E, {PAPEL}, GEN.PROC_E, (), 25),
    ), 21),
)  # fmt: skip

AGN_COLUMNS = {
    F.DEPENDENCIA: 0, F.SERIE: 1, F.SUBSERIE: 2, F.NAME: 3, F.PAPEL: 4, F.ELECTRONICO: 5,
    F.AG: 6, F.AC: 7, F.CT: 8, F.E: 9, F.MD: 10, F.S: 11, F.PROCEDURE: 12,
}  # fmt: skip


def test_agn_xlsx_with_merged_block_two_row_headers_and_x_marks() -> None:
    trd = parse_trd(TRD / "trd_agn_110.xlsx", mask=MASK)
    assert trd.entidad == "ALCALDÍA MUNICIPAL DE SAN JUAN DEL CESAR"
    assert trd.unidad_administrativa == "SECRETARÍA GENERAL"
    assert (trd.oficina_productora, trd.oficina_code) == ("OFICINA DE GESTIÓN DOCUMENTAL", "110")
    assert (trd.file, trd.sheet, trd.encoding) == ("trd_agn_110.xlsx", "TRD 110", None)
    assert trd.mapping == ColumnMapping(AGN_COLUMNS, 8)
    assert trd.series == AGN_SERIES
    assert trd.series[0].subseries[0].rule.disposition == CT | MD


def test_agn_csv_cp1252_gives_the_same_table() -> None:
    trd = parse_trd(TRD / "trd_agn_110_cp1252.csv", mask=MASK)
    assert (trd.encoding, trd.sheet, trd.oficina_code) == ("cp1252", None, "110")
    assert trd.entidad == "ALCALDÍA MUNICIPAL DE SAN JUAN DEL CESAR"
    assert trd.series == AGN_SERIES


def test_column_labels_of_two_row_headers() -> None:
    mapping, labels = detect_columns(read_table(TRD / "trd_agn_110_cp1252.csv"))
    assert mapping.data_start_row == 8
    assert labels == [
        "CÓDIGO / D", "CÓDIGO / S", "CÓDIGO / Sb", "SERIES, SUBSERIES Y TIPOS DOCUMENTALES",
        "SOPORTE / F", "SOPORTE / EL", "RETENCIÓN (en años) / AG", "RETENCIÓN (en años) / AC",
        "DISPOSICIÓN FINAL / CT", "DISPOSICIÓN FINAL / E", "DISPOSICIÓN FINAL / M/D",
        "DISPOSICIÓN FINAL / S", "PROCEDIMIENTO",
    ]  # fmt: skip


def test_orfeo_flat_csv_with_bom_words_and_series_catalog() -> None:
    catalog = read_series_catalog(TRD / "orfeo_series.csv")
    assert catalog["DERECHOS DE PETICIÓN"] == "11"
    trd = parse_trd(TRD / "orfeo_subseries_bom.csv", mask=MASK, series_codes=catalog)
    assert (trd.encoding, trd.oficina_code, trd.entidad) == ("utf-8-sig", "", "")
    got = [
        (b.code, b.name, b.ag_years, b.ac_years, b.disposition, b.soporte, b.source_row)
        for s in trd.series
        for b in s.subseries
    ]
    assert got == [
        (CodeParts("", "2", "1"), "ACCIONES DE TUTELA", 2, 8, CT, {PAPEL}, 2),
        (CodeParts("", "2", "2"), "ACCIONES POPULARES", 2, 8, CT | MD, {PAPEL, ELEC}, 3),
        (CodeParts("", "3", "1"), "ACTAS DE COMITÉ DE CONCILIACIÓN", 3, 7, S | MD, {PAPEL}, 4),
        (CodeParts("", "11", "1"), "DERECHOS DE PETICIÓN", 2, 5, E, {ELEC}, 5),
        (CodeParts("", "15", "1"), "HISTORIAS LABORALES", 4, 76, CT, {PAPEL}, 6),
        (CodeParts("", "17", "1"), "INFORMES DE GESTIÓN", 2, 3, S, {ELEC}, 7),
        (CodeParts("", "26", "1"), "RESOLUCIONES", 2, 18, CT, {PAPEL, ELEC}, 8),
    ]
    assert [s.name for s in trd.series][:2] == ["ACCIONES CONSTITUCIONALES", "ACTAS"]
    assert trd.series[0].subseries[0].procedure == (
        "Conservación total; documentan la garantía de derechos fundamentales.\n"
        "Tiempos contados a partir del cierre del expediente."
    )


def test_orfeo_flat_with_office_argument() -> None:
    catalog = read_series_catalog(TRD / "orfeo_series.csv")
    trd = parse_trd(
        TRD / "orfeo_subseries_bom.csv", mask=MASK, series_codes=catalog, dependencia="100"
    )
    assert {b.code.dependencia for s in trd.series for b in s.subseries} == {"100"}


def test_orfeo_flat_without_serie_codes() -> None:
    with pytest.raises(ImportFileError) as info:
        parse_trd(TRD / "orfeo_subseries_bom.csv", mask=MASK)
    assert info.value.code == "trd.series_codes_needed"
    with pytest.raises(ImportFileError) as info:
        parse_trd(TRD / "orfeo_subseries_bom.csv", mask=MASK, series_codes={"ACTAS": "3"})
    assert [(p.row, p.code, p.params) for p in info.value.problems][:2] == [
        (2, "trd.serie_code_unknown", {"name": "ACCIONES CONSTITUCIONALES"}),
        (3, "trd.serie_code_unknown", {"name": "ACCIONES CONSTITUCIONALES"}),
    ]
    assert len(info.value.problems) == 6


def test_file_with_errors_reports_every_problem() -> None:
    with pytest.raises(ImportFileError) as info:
        parse_trd(TRD / "trd_errores.csv", mask=MASK)
    error = info.value
    assert (error.code, error.file, error.params["count"]) == ("trd.invalid", "trd_errores.csv", 15)
    marks = "CT, E, M/D, S"
    assert [(p.row, p.field, p.code) for p in error.problems] == [
        (4, "AG", "retention.years_invalid"),
        (5, "AC", "retention.years_invalid"),
        (6, "AG", "retention.years_invalid"),
        (6, marks, "disposition.ct_and_e"),
        (7, "CÓDIGO", "trd.duplicate_code"),
        (8, "CÓDIGO", "trd.subserie_without_serie"),
        (9, "PROCEDIMIENTO", "disposition.selection_without_procedure"),
        (10, "CÓDIGO", "code.mask_mismatch"),
        (11, marks, "disposition.md_alone"),
        (12, marks, "disposition.none"),
        (13, "PROCEDIMIENTO", "disposition.procedure_required"),
        (14, "CT", "disposition.mark_unknown"),
        (15, "CÓDIGO", "trd.row_without_code"),
        (16, "SERIE / SUBSERIE", "trd.serie_without_retention"),
        (17, "SOPORTE", "soporte.unknown"),
    ]
    assert [render_problem(p) for p in error.problems[4:6]] == [
        "Fila 7, campo «CÓDIGO»: El código 100-2.1 está repetido (ya está en la fila 3).",
        "Fila 8, campo «CÓDIGO»: La subserie 100-7.1 no tiene encima la fila de su serie.",
    ]
    assert error.problems[0].params["value"] == "dos"
    assert error.as_dict()["problems"][7] == {
        "row": 10,
        "field": "CÓDIGO",
        "error": "code.mask_mismatch",
        "params": {"value": "100.11", "mask": "dp-s.b", "example": "100-2.1"},
    }


def test_unknown_headers_then_user_mapping() -> None:
    path = TRD / "trd_encabezados_desconocidos.csv"
    with pytest.raises(TrdHeaderNotRecognised) as info:
        parse_trd(path, mask=MASK)
    error = info.value
    assert (error.code, error.file, error.header_row) == (
        "trd.headers_not_recognised",
        path.name,
        1,
    )
    assert error.columns == (
        "Clave", "Agrupación documental", "Plazo en oficina", "Plazo en depósito",
        "Destino final", "Cómo se hace",
    )  # fmt: skip
    assert error.recognised == {}
    assert error.missing == (F.NAME, F.CODE, F.AG, F.AC, F.DISPOSITION, F.PROCEDURE)
    assert error.untranslated() == (
        "No se reconocen los encabezados de columna de trd_encabezados_desconocidos.csv; faltan: "
        "Series, subseries y tipos documentales; Código completo; Años en archivo de gestión "
        "(AG); Años en archivo central (AC); Disposición final (texto); Procedimiento."
    )
    assert error.as_dict()["params"]["header_row"] == 1
    columns = {F.CODE: 0, F.NAME: 1, F.AG: 2, F.AC: 3, F.DISPOSITION: 4, F.PROCEDURE: 5}
    trd = parse_trd(path, mask=MASK, mapping=ColumnMapping(columns, 2))
    assert trd.series == (
        TrdSeries(CodeParts("100", "2"), "ACTAS", (
            _sub(("100", "2", "1"), "Actas de comité", 2, 8, CT, set(),
                 "Conservar en el archivo histórico.", (), 3),
            _sub(("100", "2", "2"), "Actas de consejo", 2, 8, E, set(), "Eliminar por picado.", (), 4),
        ), 2),
    )  # fmt: skip


def test_user_mapping_problems_use_the_header_labels() -> None:
    columns = {F.CODE: 0, F.NAME: 1, F.AG: 2, F.AC: 3, F.DISPOSITION: 4, F.PROCEDURE: 9}
    with pytest.raises(ImportFileError) as info:
        parse_trd(
            TRD / "trd_encabezados_desconocidos.csv", mask=MASK, mapping=ColumnMapping(columns, 2)
        )
    assert {(p.row, p.field, p.code) for p in info.value.problems} == {
        (3, "Columna J", "disposition.procedure_required"),
        (4, "Columna J", "disposition.procedure_required"),
    }


def test_tvd_flat_with_period() -> None:
    tvd = parse_tvd(TRD / "tvd_concejo.csv", mask=MASK)
    assert (tvd.entidad, tvd.oficina_productora, tvd.oficina_code, tvd.periodo) == (
        "CONCEJO MUNICIPAL DE SAN JUAN DEL CESAR", "SECRETARÍA DEL CONCEJO", "120", "1985-1999",
    )  # fmt: skip
    assert tvd.series == (
        TvdSerie(CodeParts("120", "2", "1"), "ACTAS", "Actas de sesiones plenarias", 10, CT | MD,
                 "Conservación total y microfilmación.", 6),
        TvdSerie(CodeParts("120", "2", "2"), "ACTAS", "Actas de comisiones", 10, S,
                 "Selección del 10 % por vigencia.", 7),
        TvdSerie(CodeParts("120", "5"), "CORRESPONDENCIA", "CORRESPONDENCIA", 5, E,
                 "Eliminación por picado.", 8),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("vacio.csv", "tabular.empty"),
        ("vacio.xlsx", "tabular.empty"),
        ("basura.xlsx", "tabular.not_spreadsheet"),
    ],
)
def test_unreadable_fixtures(name: str, code: str) -> None:
    with pytest.raises(ImportFileError) as info:
        parse_trd(TRD / name, mask=MASK)
    assert (info.value.code, info.value.file) == (code, name)


# --- in-memory tables for the finer rules -----------------------------------------------------


def table(*rows: str, file: str = "t.csv") -> Table:
    return Table(
        file, "text", tuple(Row(i, tuple(r.split(";"))) for i, r in enumerate(rows, 1) if r)
    )


def problems(t: Table, mask: CodeMask = MASK) -> list[tuple[int, str, str]]:
    with pytest.raises(ImportFileError) as info:
        parse_trd_table(t, mask=mask)
    return [(p.row, p.field, p.code) for p in info.value.problems]


def test_single_letters_take_the_meaning_of_their_neighbours() -> None:
    t = table(
        "D;S;Sb;Serie o subserie;AG;AC;CT;E;M;S;Procedimiento",
        "100;2;;ACTAS;;;;;;;",
        "100;2;1;Actas de comité;2;8;;;X;X;Muestra del 5 %.",
    )
    trd = parse_trd_table(t, mask=MASK)
    assert trd.mapping.columns[F.SERIE] == 1 and trd.mapping.columns[F.S] == 9
    assert trd.series[0].subseries[0].disposition == S | MD


def test_combined_code_without_separator_mask_and_words() -> None:
    t = table(
        "Código;Serie, subserie y tipos;A.G;A.C;Disposición final;Soporte;Procedimiento",
        "10002;CONTRATOS;;;;;",
        "10002.01;Contratos de obra;2;18;Conservación total - Digitalización;Papel y electrónico;CT.",
        "10002.02;Convenios;2;18;E;Papel;Eliminar.",
    )
    trd = parse_trd_table(t, mask=CodeMask.from_pattern("dpss.sb"))
    assert [(b.code, b.disposition, b.soporte) for b in trd.series[0].subseries] == [
        (CodeParts("100", "2", "1"), CT | MD, {PAPEL, ELEC}),
        (CodeParts("100", "2", "2"), E, {PAPEL}),
    ]


def test_repeated_header_rows_and_footer_are_skipped() -> None:
    header = "CÓDIGO;SERIES, SUBSERIES Y TIPOS DOCUMENTALES;AG;AC;CT;E;M/D;S;PROCEDIMIENTO"
    t = table(
        header,
        "100-2;ACTAS;;;;;;;",
        "100-2.1;Actas;2;8;X;;;;Conservar.",
        header,  # printed page break repeats the header
        "100-2.2;Otras actas;2;8;;X;;;Eliminar.",
        "CONVENCIONES:;CT: Conservación total;;;;;;;",
        "100-9;NO SE LEE;2;8;X;;;;Conservar.",
    )
    trd = parse_trd_table(t, mask=MASK)
    assert [b.name for s in trd.series for b in s.subseries] == ["Actas", "Otras actas"]


def test_serie_rules() -> None:
    t = table(
        "CÓDIGO;SERIES, SUBSERIES Y TIPOS DOCUMENTALES;AG;AC;CT;E;M/D;S;PROCEDIMIENTO",
        "Tipo suelto;;;;;;;;",
        "100-2;ACTAS;2;8;X;;;;Conservar.",
        "100-2.1;Actas de comité;2;8;X;;;;Conservar.",
        "100-3;INFORMES;;;;;;;",
        "100-3;INFORMES DE GESTIÓN;;;;;;;",
        "100-3.1;Informes;1;1;;X;;;Eliminar.",
    )
    t = Table(t.file, t.kind, (t.rows[0], Row(2, ("", "Tipo suelto")), *t.rows[2:]))
    assert problems(t) == [
        (2, "SERIES, SUBSERIES Y TIPOS DOCUMENTALES", "trd.tipo_without_subserie"),
        (3, "SERIES, SUBSERIES Y TIPOS DOCUMENTALES", "trd.serie_retention_and_subseries"),
        (6, "SERIES, SUBSERIES Y TIPOS DOCUMENTALES", "trd.serie_name_conflict"),
    ]


def test_tipo_rows_of_a_failed_row_add_no_problems() -> None:
    t = table(
        "CÓDIGO;SERIES, SUBSERIES Y TIPOS DOCUMENTALES;AG;AC;CT;E;M/D;S;PROCEDIMIENTO",
        "100-2;ACTAS;;;;;;;",
        "100-2.1;Actas;2;8;X;;;;Conservar.",
        "100-2.1;Actas repetidas;2;8;X;;;;Conservar.",
        ";Citación;;;;;;;",
        "100-9.1;Sin serie;2;8;X;;;;Conservar.",
        ";Acta;;;;;;;",
        "100.3;Mal código;2;8;X;;;;Conservar.",
        ";Oficio;;;;;;;",
    )
    assert problems(t) == [
        (4, "CÓDIGO", "trd.duplicate_code"),
        (6, "CÓDIGO", "trd.subserie_without_serie"),
        (8, "CÓDIGO", "code.mask_mismatch"),
    ]


def test_merged_retention_reaches_only_coded_rows() -> None:
    base = table(
        "CÓDIGO;SERIES, SUBSERIES Y TIPOS DOCUMENTALES;AG;AC;CT;E;M/D;S;PROCEDIMIENTO",
        "100-2;ACTAS;;;;;;;",
        "100-2.1;Actas de comité;2;8;X;;;;Conservar.",
        ";Citación;;;;;;;",
        "100-2.2;Actas de consejo;;;X;;;;",
    )
    from archive.io.tabular import MergedRange

    # AG, AC and PROCEDIMIENTO of row 3 merged down to row 5 (a shared retention block).
    merged = tuple(MergedRange(3, c, 5, c) for c in (2, 3, 8))
    trd = parse_trd_table(Table("t.xlsx", "xlsx", base.rows, merged=merged), mask=MASK)
    subs = trd.series[0].subseries
    assert [(b.ag_years, b.ac_years, b.procedure, b.tipos) for b in subs] == [
        (2, 8, "Conservar.", ("Citación",)),
        (2, 8, "Conservar.", ()),
    ]


def test_years_written_loosely() -> None:
    t = table(
        "CÓDIGO;SERIES, SUBSERIES Y TIPOS DOCUMENTALES;AG;AC;CT;E;M/D;S;PROCEDIMIENTO",
        "100-2;ACTAS;2 años;10,0;X;;;;Conservar.",
        "100-3;ACTAS;;1 AÑO;X;;;;Conservar.",
        "100-4;PLANES;250;3;X;;;;Conservar.",
    )
    assert problems(t) == [
        (3, "AG", "trd.years_missing"),
        (4, "AG", "retention.years_invalid"),
    ]


@pytest.mark.parametrize(
    ("text", "tipos"),
    [
        ("Citación\nActa\n\nAnexos", ["Citación", "Acta", "Anexos"]),
        ("- Oficio - Memorando - Acta", ["Oficio", "Memorando", "Acta"]),
        ("-Oficio\n-Memorando", ["Oficio", "Memorando"]),
        ("• Oficio\n• Acta de socio-económico", ["Oficio", "Acta de socio-económico"]),
        ("Certificado - CDP", ["Certificado - CDP"]),
        ("", []),
    ],
)
def test_split_tipos(text: str, tipos: list[str]) -> None:
    assert split_tipos(text) == tipos


def test_fixtures_are_reproducible(tmp_path: Path) -> None:
    written = GEN.write_fixtures(tmp_path)
    for path in written:
        committed = TRD / path.name
        if path.suffix == ".csv":
            assert path.read_bytes() == committed.read_bytes(), path.name
        elif path.name == "trd_agn_110.xlsx":
            assert read_table(path).rows == read_table(committed).rows
            assert set(read_table(path).merged) == set(read_table(committed).merged)
        elif path.name == "basura.xlsx":
            assert path.read_bytes() == committed.read_bytes()
    assert sorted(p.name for p in written) == sorted(p.name for p in TRD.iterdir())
