"""Actas: the acta de eliminación (Acuerdo 001/2024 art. 4.5.4; AGN_NOTES §5.2 step 6) and the
acta de transferencia (AGN_NOTES §4.1 step 6), A4 portrait, with their inventory totals; the
inventory itself is the FUID (reports.fuid_pdf), printed and attached.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from archive.domain.fuid import ActaData, FuidDocument, totals
from archive.domain.timefmt import format_date
from archive.i18n import _
from reports.labels.text import default_fonts

GRID = colors.HexColor("#555555")
SHADE = colors.HexColor("#e6ecf2")


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _build(out: Path | str, title: str, intro: str, facts: Sequence[tuple[str, str]],
           signers: Sequence[tuple[str, str]]) -> None:  # fmt: skip
    f = default_fonts()
    body = ParagraphStyle("b", fontName=f.regular, fontSize=9.5, leading=13)
    head = ParagraphStyle("t", parent=body, fontName=f.bold, fontSize=13, leading=16, alignment=1)
    pdf = SimpleDocTemplate(str(out), pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=20 * mm, bottomMargin=20 * mm, title=title)  # fmt: skip
    table = Table([[Paragraph(f"<b>{_esc(a)}</b>", body), Paragraph(_esc(b), body)] for a, b in facts],
                  colWidths=[60 * mm, 110 * mm])  # fmt: skip
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, GRID), ("BACKGROUND", (0, 0), (0, -1), SHADE),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))  # fmt: skip
    cells = [[Paragraph(f"<br/><br/><br/>______________________________<br/>{_esc(n)}<br/>{_esc(c)}", body)
              for n, c in signers[i : i + 2]] for i in range(0, len(signers), 2)]  # fmt: skip
    for row in cells:
        row += [""] * (2 - len(row))
    story = [
        Paragraph(_esc(title), head),
        Spacer(1, 6 * mm),
        Paragraph(_esc(intro), body),
        Spacer(1, 5 * mm),
        table,
    ]
    if cells:
        story += [Spacer(1, 10 * mm), Table(cells, colWidths=[85 * mm, 85 * mm])]
    pdf.build(story)


def render_acta_eliminacion(acta: ActaData, out: Path | str) -> None:
    """The acta de eliminación: number, date, committee approval, publication window, method,
    totals (units, folios, metros lineales), selection criterion and signatories."""
    title = _("ACTA DE ELIMINACIÓN DOCUMENTAL N° {n}").format(n=acta.number or "—")
    intro = _("En la fecha indicada, {entity} eliminó los documentos relacionados en el inventario "
              "documental (FUID, objeto «Eliminación») anexo, que cumplieron su tiempo de retención "
              "según la Tabla de Retención o Valoración Documental, previa aprobación del comité y "
              "publicación del inventario conforme al Acuerdo 001 de 2024 del AGN.").format(entity=acta.entity)  # fmt: skip
    facts = [
        (_("Fecha del acta"), format_date(acta.acta_date, empty="—")),
        (_("Aprobación del comité"), f"{acta.committee_act} · {format_date(acta.committee_date, empty='—')}"),
        (_("Publicación del inventario"),
         f"{format_date(acta.publication_start, empty='—')} – {format_date(acta.publication_end, empty='—')}"),
        (_("Observaciones recibidas"), str(acta.observations)),
        (_("Método de eliminación"), acta.method or "—"),
        (_("Unidades documentales"), str(acta.units)),
        (_("Folios"), str(acta.folios)),
        (_("Metros lineales"), f"{acta.linear_metres:.2f}".replace(".", ",")),
        (_("Criterio de selección"), acta.selection_criterion or "—"),
    ]  # fmt: skip
    _build(out, title, intro, facts, acta.signatories)


def render_acta_transferencia(
    doc: FuidDocument, out: Path | str, signers: Sequence[tuple[str, str]] = ()
) -> None:
    """The acta de transferencia that accompanies a transfer's FUID."""
    rows, cajas, folios = totals(doc.rows)
    title = _("ACTA DE TRANSFERENCIA DOCUMENTAL N° {n}").format(n=doc.transfer_number or "—")
    intro = _("Se deja constancia de la entrega y recepción de los documentos relacionados en el "
              "inventario documental (FUID) anexo, objeto «{objeto}».").format(objeto=doc.objeto.label)  # fmt: skip
    facts = [
        (_("Oficina productora"), doc.oficina_productora),
        (_("Unidad administrativa"), doc.unidad_administrativa),
        (_("Fecha de recepción"), format_date(doc.entry_date, empty="—")),
        (_("Asientos del inventario"), str(rows)),
        (_("Cajas"), str(cajas)),
        (_("Folios"), str(folios)),
    ]
    who = list(signers) or [(doc.entregado.name or _("Entregado por"), doc.entregado.cargo),
                            (doc.recibido.name or _("Recibido por"), doc.recibido.cargo)]  # fmt: skip
    _build(out, title, intro, facts, who)
