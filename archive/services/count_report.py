"""The count report as plain tables, for the PDF renderer and XLSX export."""

from __future__ import annotations

from archive.domain.timefmt import format_datetime
from archive.i18n import N_, _
from archive.services.counts import CountLine, CountReport

SECTIONS = (
    ("found", N_("Encontradas")),
    ("missing", N_("Faltantes (esperadas y no escaneadas)")),
    ("misplaced", N_("Mal ubicadas")),
    ("unexpected", N_("Inesperadas (no esperadas en el alcance o desconocidas)")),
    ("on_loan", N_("En préstamo (esperadas, no escaneadas, prestadas)")),
)
HEADERS = (N_("Código de barras"), N_("Tipo"), N_("Número"), N_("Ubicación registrada"), N_("Escaneada en"))


def report_tables(report: CountReport) -> tuple[str, list[str], list[tuple[str, list[str], list[list[str]]]]]:
    """(title, subtitle lines, [(section title, headers, rows)])."""
    title = _("Informe de conteo — {scope}").format(scope=report.scope)
    subtitle = [
        _("Iniciado: {at} por {user}").format(at=format_datetime(report.started_at), user=report.started_by),
        _("Estado: {state}. Finalizado: {at}").format(state=report.state, at=format_datetime(report.finished_at) or "—"),
        _("Esperadas: {expected} · encontradas: {found} · faltantes: {missing} · en préstamo: {on_loan} · mal ubicadas: {misplaced} · inesperadas: {unexpected}").format(
            expected=report.expected, found=len(report.found), missing=len(report.missing), on_loan=len(report.on_loan),
            misplaced=len(report.misplaced), unexpected=len(report.unexpected)),
    ]  # fmt: skip
    sections = []
    for attr, label in SECTIONS:
        lines: list[CountLine] = getattr(report, attr)
        rows = [[x.barcode, x.kind, x.number, x.expected_at or "—", x.scanned_at or "—"] for x in lines]
        sections.append((_(label), [_(h) for h in HEADERS], rows))
    return title, subtitle, sections
