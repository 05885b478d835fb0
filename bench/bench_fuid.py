"""FUID PDF rendering time for a large inventory, against a same-run baseline.

Usage::

    python bench/bench_fuid.py              # 10,000 rows, 3 repetitions
    python bench/bench_fuid.py --rows 50000 --reps 1

The baseline is ReportLab drawing the same rows as plain text lines (one ``drawString`` per
row, 40 rows a page, no grid, no header): the least a PDF with these rows can cost. The case is
``reports.fuid_pdf.render_fuid_pdf`` (the AGN layout: header, REGISTRO DE ENTRADA, two header
rows, grid, wrapped names and notes, three signature blocks on every sheet). Prints a Markdown
table with the median of the repetitions; the target is ≤ 15 s for 10,000 rows.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from archive.domain.fuid import FuidDocument, FuidRow, FuidSigner, Objeto
from reports.fuid_pdf import render_fuid_pdf
from reports.labels.text import default_fonts

NAMES = (
    "Actas del Comité Institucional de Gestión y Desempeño — sesiones ordinarias y extraordinarias",
    "Contratos de prestación de servicios profesionales",
    "Historias laborales",
    "Derechos de petición, quejas, reclamos y sugerencias de la ciudadanía",
)


def make_doc(n: int) -> FuidDocument:
    rows = tuple(
        FuidRow(i + 1, f"110-{2 + i % 30}.{1 + i % 4}", NAMES[i % 4] + f" {2000 + i % 25}",
                date(2000 + i % 25, 1 + i % 12, 1 + i % 28) if i % 9 else None,
                date(2001 + i % 25, 1 + i % 12, 1 + i % 28) if i % 9 else None,
                caja=str(i // 8 + 1), carpeta=str(i + 1), folios=1 + i % 250,
                frecuencia=("alta", "media", "baja", "ninguna")[i % 4],
                notes="Faltan los folios 12 a 14; biodeterioro leve" if i % 7 == 0 else "")
        for i in range(n)
    )  # fmt: skip
    signer = FuidSigner("Ana Pérez", "Técnica de archivo", "Bogotá D.C.", date(2026, 3, 1))
    return FuidDocument(Objeto.TRANSFERENCIA_PRIMARIA, "Entidad de prueba", "Entidad de prueba",
                        "Secretaría General", "110 Gestión Documental", rows, date(2026, 3, 5), "2026-001",
                        signer, signer, signer)  # fmt: skip


def baseline(doc: FuidDocument, out: Path) -> None:
    font = default_fonts().regular
    c = Canvas(str(out), pagesize=landscape(A4), pageCompression=1)
    c.setFont(font, 6.3)
    for k, r in enumerate(doc.rows):
        if k and k % 40 == 0:
            c.showPage()
            c.setFont(font, 6.3)
        c.drawString(20, 560 - (k % 40) * 13, f"{r.order} {r.code} {r.name} {r.date_start} {r.date_end} "
                                              f"{r.caja} {r.carpeta} {r.folios} {r.frecuencia} {r.notes}")  # fmt: skip
    c.save()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    doc = make_doc(args.rows)
    times: dict[str, list[float]] = {"base": [], "fuid": []}
    sizes: dict[str, int] = {}
    sheets = 0
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.reps):
            for key in ("base", "fuid"):
                out = Path(tmp) / f"{key}.pdf"
                t0 = time.perf_counter()
                if key == "base":
                    baseline(doc, out)
                else:
                    sheets = render_fuid_pdf(doc, out)
                times[key].append(time.perf_counter() - t0)
                sizes[key] = out.stat().st_size
    base = statistics.median(times["base"])
    fuid = statistics.median(times["fuid"])
    print(f"{args.rows:,} rows, median of {args.reps}; FUID sheets: {sheets}\n")
    print("| Renderer | time (s) | vs. baseline | PDF size |")
    print("|---|---:|---:|---:|")
    print(
        f"| ReportLab plain text lines (baseline) | {base:.2f} | 1.00× | {sizes['base'] / 1e6:.1f} MB |"
    )
    print(
        f"| reports.fuid_pdf (AGN layout) | {fuid:.2f} | {fuid / base:.2f}× | {sizes['fuid'] / 1e6:.1f} MB |"
    )


if __name__ == "__main__":
    main()
