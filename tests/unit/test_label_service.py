"""Label data from the database: AGN fields of cajas, carpetas, expedientes, ubicaciones and
testigos; templates and calibrations as data; remembered batches."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from archive.db.changefeed import FEED_CONTEXT_KEY
from archive.db.models import AuditLog, Dependencia, Serie, Subserie
from archive.domain.errors import NotFound, ValidationError
from archive.services.expedientes import ExpedienteInput
from archive.services.labels import BatchRequest, Selection
from reports.labels import CajaLabel, CarpetaLabel, CodeName, LabelTemplate, default_template
from reports.labels.jobs import label_from_record, resolve_medium


@pytest.fixture
def archive(services, admin):
    """Sección 100 > oficina 120; serie 2 / subserie 1; an expediente in two carpetas in caja 15."""
    sv = services
    sv.org.add_dependencia(admin, code="100", name="Despacho del Alcalde")
    sv.org.add_dependencia(admin, code="120", name="Secretaría de Hacienda", parent_code="100")
    with sv.rt.db.sessions() as s:
        s.info[FEED_CONTEXT_KEY] = sv.rt.feed(admin)
        dep = s.scalar(select(Dependencia).where(Dependencia.code == "120"))
        serie = Serie(dependencia_id=dep.id, code="2", name="ACTAS")
        s.add(serie)
        s.flush()
        s.add(Subserie(serie_id=serie.id, code="1", name="Actas de comité"))
        s.commit()
    shelf = sv.locations.create(admin, level_code="deposito", code="1", name="Depósito central")
    exp = sv.expedientes.create(admin, ExpedienteInput("120", "2021-120-2.1-0007", "Actas del comité de sostenibilidad", "2", "1",
                                                      date(2021, 2, 3), date(2022, 11, 30)))  # fmt: skip
    [box] = sv.units.register(
        admin, type_code="X200", number_start=15, dependencia_code="120", location_id=shelf.id
    )
    folders = sv.units.register(
        admin, type_code="CAR4", count=2, parent_barcode=box.barcode, expediente_id=exp
    )
    sv.units.set_folios(admin, folders[0].id, 1, 200)
    sv.units.set_folios(admin, folders[1].id, 201, 287)
    return shelf, exp, box, folders


def test_carpeta_and_caja_carry_the_agn_fields(services, admin, archive) -> None:
    shelf, _exp, box, folders = archive
    recs = services.labels.records(admin, "carpeta", Selection(box=box.barcode))
    assert [r.barcode for r in recs] == [f.barcode for f in folders]
    first = label_from_record(recs[1])
    assert isinstance(first, CarpetaLabel)
    assert first == CarpetaLabel(
        barcode=folders[1].barcode, fondo="Alcaldía de Prueba", seccion=CodeName("100", "Despacho del Alcalde"),
        subseccion=CodeName("120", "Secretaría de Hacienda"), serie=CodeName("120-2", "ACTAS"),
        subserie=CodeName("120-2.1", "Actas de comité"), expediente="Actas del comité de sostenibilidad",
        expediente_numero="2021-120-2.1-0007", fecha_inicial=date(2021, 2, 3), fecha_final=date(2022, 11, 30),
        folio_desde=201, folio_hasta=287, carpeta_numero=2, carpeta_total=2, caja_numero=15, signatura=shelf.path,
    )  # fmt: skip
    values = first.values()
    assert values["carpeta"] == "2 de 2" and values["folios"] == "del 201 al 287 (87)"

    (caja,) = services.labels.records(admin, "caja", Selection(barcodes=[f"  {box.barcode}\r\n"]))
    label = label_from_record(caja)
    assert isinstance(label, CajaLabel)
    assert label.caja_numero == 15 and label.carpetas_total == 2 and label.signatura == shelf.path
    assert label.subserie == CodeName("120-2.1", "Actas de comité")
    assert (label.fecha_inicial, label.fecha_final) == (date(2021, 2, 3), date(2022, 11, 30))


def test_code_mask_parameter_shapes_the_printed_codes(services, admin, archive) -> None:
    services.parameters.set(admin, "trd_code_mask", "dp.ss.sb")
    (rec,) = services.labels.records(admin, "carpeta", Selection(barcodes=[archive[3][0].barcode]))
    assert rec.fields["serie"] == ("120.02", "ACTAS") and rec.fields["subserie"] == (
        "120.02.01",
        "Actas de comité",
    )


def test_location_expediente_and_testigo(services, admin, archive) -> None:
    shelf, exp, box, folders = archive
    (ubi,) = services.labels.records(admin, "ubicacion", Selection(location=shelf.path))
    assert ubi.fields["signatura"] == shelf.path and ubi.fields["niveles"] == (("Depósito", "1"),)
    assert ubi.barcode == shelf.barcode
    # a shelf selected for cajas gives its boxes; for expedientes the files inside them
    assert [
        r.item_id for r in services.labels.records(admin, "caja", Selection(location=shelf.barcode))
    ] == [box.id]
    (e,) = services.labels.records(admin, "expediente", Selection(location=shelf.path))
    assert e.item_id == exp and e.fields["carpetas_total"] == 2 and e.fields["caja_numero"] == "15"
    (t,) = services.labels.records(admin, "testigo", Selection(barcodes=[folders[0].barcode]))
    assert t.fields["unidad"] == "Carpeta 1, caja 15" and t.fields["folios_total"] == 200
    label_from_record(t)
    with pytest.raises(ValidationError):
        services.labels.records(admin, "ubicacion", Selection(barcodes=[box.barcode]))
    with pytest.raises(ValidationError):
        services.labels.records(admin, "caja", Selection(barcodes=[folders[0].barcode]))
    with pytest.raises(ValidationError):
        services.labels.records(admin, "rótulo", Selection(barcodes=[box.barcode]))


def test_templates_calibrations_and_batches_are_data(services, admin, archive) -> None:
    sv = services
    body = default_template("caja").to_json()
    a = sv.labels.save_template(admin, "caja", "Caja grande", body, make_default=True)
    b = sv.labels.save_template(admin, "caja", "Caja chica", body, make_default=True)
    rows = {t.name: t for t in sv.labels.templates(admin, "caja")}
    assert not rows["Caja grande"].is_default and rows["Caja chica"].is_default
    assert LabelTemplate.from_json(rows["Caja grande"].body) == default_template("caja")
    assert (
        sv.labels.save_template(admin, "caja", "Caja grande", body).id == a.id
    )  # replaced, not duplicated
    sv.labels.delete_template(admin, b.id)
    assert [t.name for t in sv.labels.templates(admin)] == ["Caja grande"]
    with pytest.raises(ValidationError):
        sv.labels.save_template(admin, "caja", "Rota", "{no es json")

    cal = sv.labels.save_calibration(
        admin, "HP bodega", offset_x_mm=0.4, offset_y_mm=-0.6, creep_y_mm=0.05, dpi=600
    )
    assert sv.labels.calibration(admin, "HP bodega").to_dict() == cal.to_dict()
    with pytest.raises(NotFound):
        sv.labels.calibration(admin, "Otra")
    with pytest.raises(ValidationError):
        sv.labels.save_calibration(admin, "Loca", offset_x_mm=80)

    box = archive[2]
    medium_id, medium = resolve_medium("grid:carta:2x5:100x50")
    batch_id = sv.labels.record_batch(admin, BatchRequest("caja", "Caja grande", body, medium_id, medium.to_dict(), "HP bodega", 3,
                                                          "unit", [box.id]))  # fmt: skip
    got = sv.labels.batch(admin, batch_id[:13])
    assert (got.kind, got.items, got.start_position, got.username, got.item_ids) == (
        "caja",
        1,
        3,
        "admin",
        [box.id],
    )
    assert resolve_medium(got.medium_body)[1] == medium
    assert [
        r.item_id for r in sv.labels.records_by_ids(admin, got.kind, got.source, got.item_ids)
    ] == [box.id]
    assert [x.id for x in sv.labels.batches(admin)] == [batch_id]
    with sv.rt.db.sessions() as s:
        actions = set(s.scalars(select(AuditLog.action).where(AuditLog.module == "rotulos")))
    assert actions == {
        "label_template.save",
        "label_template.delete",
        "printer_calibration.save",
        "label_batch.print",
    }
