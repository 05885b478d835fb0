"""Retention areas: the rule form validates as you type, the TRD tree and saving, the import
wizard (mapping step, errors page, preview, import), the due list and the holds list."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QDate, QEvent
from pytestqt.qtbot import QtBot

from archive.domain.disposition import Disposition
from archive.io.trd_columns import TrdField
from archive.services.container import Services
from archive.services.expedientes import ExpedienteInput
from archive.services.holds import HoldInput
from archive.services.runtime import Actor
from archive.services.trd import TrdApproval
from archive.settings import Settings
from desktop.messages import RecordingSink
from desktop.session import AppContext, Session
from desktop.tasks import TaskRunner
from desktop.views.retention import AREAS
from desktop.views.retention.due import DueView
from desktop.views.retention.holds import HoldsView
from desktop.views.retention.import_wizard import ERRORS, MAPPING, PREVIEW, ImportWizard
from desktop.views.retention.rule_form import RuleForm
from desktop.views.retention.trd_editor import TrdView
from tests.gui.test_inventory_common import IGNORE_SIZE_HINTS, idle, open_view

pytestmark = IGNORE_SIZE_HINTS
TRD = Path(__file__).resolve().parents[1] / "samples" / "trd"


@pytest.fixture
def session(
    qtbot: QtBot, services: Services, admin: Actor, runner: TaskRunner, sink: RecordingSink
) -> Iterator[Session]:
    """A logged-in administrator's session (as in test_inventory_common)."""
    context = AppContext(services, runner, sink, Settings(), store_settings=lambda _s: None)
    yield Session(context, admin, full_name="Admin de Prueba")
    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=10_000)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


@pytest.fixture
def trd_session(session: Session) -> Session:
    sv, admin = session.services, session.actor
    sv.org.add_dependencia(admin, code="110", name="Gestión Documental")
    sv.trd.import_file(admin, TRD / "trd_agn_110.xlsx", TrdApproval(date(2015, 1, 1)))
    e = sv.expedientes.create(
        admin,
        ExpedienteInput("110", "X-1", "Actas 2016", "2", "1", date(2016, 1, 1), date(2016, 3, 1)),
    )
    sv.retention.recompute(admin)
    sv.holds.place(
        admin, HoldInput("expediente", "Proceso", "Juzgado 1", date(2026, 1, 1), expediente=e)
    )
    return session


def test_areas_are_declared() -> None:
    assert [a.key for a in AREAS] == ["trd", "due", "holds"]


def test_rule_form_enforces_the_disposition_rules_live(qtbot: QtBot) -> None:
    form = RuleForm()
    qtbot.addWidget(form)
    form.serie_code.setText("2")
    form.serie_name.setText("ACTAS")
    assert not form.validate()  # no disposition, no procedure
    form.flags[Disposition.MD].setChecked(True)
    assert any("M/D" in p for p in form.problems())
    form.flags[Disposition.CT].setChecked(True)
    form.flags[Disposition.E].setChecked(True)
    assert not form.flags[Disposition.CT].isChecked()  # CT and E exclude each other
    form.procedure.setPlainText("Se elimina por picado.")
    assert form.validate()
    form.serie_code.setText("2-a")
    assert not form.validate()
    form.serie_code.setText("2")
    value = form.value()
    assert value.disposition == Disposition.E | Disposition.MD and value.name == "ACTAS"


def test_tree_shows_versions_and_saving_a_rule_recomputes(
    qtbot: QtBot, trd_session: Session
) -> None:
    view = TrdView(trd_session)
    with qtbot.waitSignal(view.loaded, timeout=5000) as blocker:
        open_view(qtbot, view)
    assert blocker.args == [1]
    dep = view.tree.topLevelItem(0)
    version = dep.child(0)
    serie = version.child(0)
    rule_item = serie.child(0)
    view.tree.setCurrentItem(rule_item)
    assert view.form.serie_name.text() == "ACTAS" and view.form.ag.value() == 2
    view.form.ag.setValue(3)
    assert view.save_button.isEnabled()
    with qtbot.waitSignal(view.saved, timeout=5000):
        view.save()
    idle(qtbot, trd_session)
    rules = trd_session.services.trd.rules(trd_session.actor, view.current_version)
    assert rules[0].ag_years == 3


def test_export_writes_pdf_and_xlsx(qtbot: QtBot, trd_session: Session, tmp_path: Path) -> None:
    view = TrdView(trd_session)
    with qtbot.waitSignal(view.loaded, timeout=5000):
        open_view(qtbot, view)
    view.tree.setCurrentItem(view.tree.topLevelItem(0).child(0))
    for kind in ("pdf", "xlsx"):
        view.export(kind, str(tmp_path / f"trd.{kind}"))
        idle(qtbot, trd_session)
        assert (tmp_path / f"trd.{kind}").stat().st_size > 1000


def test_wizard_mapping_preview_and_import(qtbot: QtBot, session: Session) -> None:
    session.services.org.add_dependencia(session.actor, code="100", name="Despacho")
    wizard = ImportWizard(session)
    qtbot.addWidget(wizard)
    wizard.path.setText(str(TRD / "trd_encabezados_desconocidos.csv"))
    wizard.valid_from.setDate(QDate(2015, 1, 1))
    with qtbot.waitSignal(wizard.page_changed, timeout=5000) as blocker:
        wizard.next()
    assert blocker.args == [MAPPING]
    for col, field in enumerate((TrdField.CODE, TrdField.NAME, TrdField.AG, TrdField.AC,
                                 TrdField.DISPOSITION, TrdField.PROCEDURE)):  # fmt: skip
        combo = wizard.combo_at(col)
        combo.setCurrentIndex(combo.findData(field))
    with qtbot.waitSignal(wizard.page_changed, timeout=5000) as blocker:
        wizard.next()
    assert blocker.args == [PREVIEW], wizard.message.text()
    assert wizard.preview.rowCount() > 0
    assert session.services.trd.versions(session.actor) == []  # the preview wrote nothing
    with qtbot.waitSignal(wizard.imported, timeout=5000):
        wizard.next()
    assert len(session.services.trd.versions(session.actor)) == 1


def test_wizard_lists_row_errors_and_writes_nothing(qtbot: QtBot, session: Session) -> None:
    session.services.org.add_dependencia(session.actor, code="110", name="Gestión Documental")
    wizard = ImportWizard(session)
    qtbot.addWidget(wizard)
    wizard.path.setText(str(TRD / "trd_errores.csv"))
    wizard.dependencia.setText("110")
    with qtbot.waitSignal(wizard.page_changed, timeout=5000) as blocker:
        wizard.next()
    assert blocker.args == [ERRORS]
    assert wizard.errors.rowCount() > 0
    assert (
        wizard.errors.item(0, 0).text() == "trd_errores.csv"
        and wizard.errors.item(0, 1).text().isdigit()
    )
    assert session.services.trd.versions(session.actor) == []


def test_due_list_and_holds(qtbot: QtBot, trd_session: Session) -> None:
    due = DueView(trd_session)
    with qtbot.waitSignal(due.loaded, timeout=5000) as blocker:
        open_view(qtbot, due)
    assert blocker.args == [1]
    qtbot.waitUntil(lambda: due.model.values_at(0) is not None, timeout=5000)
    assert due.model.values_at(0)["on_hold"] is True
    with qtbot.waitSignal(due.loaded, timeout=5000) as blocker:
        due.exclude_held.setChecked(True)
    assert blocker.args == [0]
    holds = HoldsView(trd_session)
    with qtbot.waitSignal(holds.loaded, timeout=5000) as blocker:
        open_view(qtbot, holds)
    assert blocker.args == [1]
    assert holds.model.row(0)["target_label"] == "X-1"
