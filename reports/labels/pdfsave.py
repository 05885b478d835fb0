"""Saving the label PDF: lean page objects, Flate without ASCII85.

A roll prints one label per PDF page, so a batch of 5,000 labels is 5,000 page dictionaries
and 5,000 content streams. ReportLab formats each page in full when saving — its own resource
dictionary (fonts, ProcSet), a ``MediaBox`` array through ``fp_str``, ``/Rotate 0``, an empty
``/Trans << >>`` — and each stream through its generic dictionary and filter objects; that
was about half the save time of a roll. :func:`save_pdf` first gives every page that can
share it one resource dictionary, written once as an indirect object (PDF 1.7 § 7.3.10 and
§ 7.7.3.3 allow ``Resources`` to be a reference), formats each distinct page size's
``MediaBox`` once, drops the two entries that only repeat the defaults, and hands each page
its content as a :class:`FlateStream`, which writes the same bytes ReportLab would, directly.
Nothing drawn changes.

It sets attributes that ReportLab's ``PDFPage`` reads when it is formatted (an attribute left
empty is filled in by ReportLab, so a page this module does not recognise keeps the usual
path); the pages come from the canvas's document, as the text emitter's font subsets do
(:mod:`reports.labels.pdftext`).
"""

from __future__ import annotations

import zlib
from typing import Any

from reportlab import rl_config
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfdoc import (
    PDFDictionary,
    PDFDocument,
    PDFObject,
    PDFObjectReference,
    PDFResourceDictionary,
)
from reportlab.pdfgen.canvas import Canvas

#: Internal name of the shared resource dictionary in ReportLab's object table.
SHARED_RESOURCES = "LegajoPageResources"


class FlateStream(PDFObject):  # type: ignore[misc]  # ReportLab is untyped
    """A page content stream, Flate-compressed when the document is written.

    Formats as ReportLab's ``PDFStream`` with its ``FlateDecode`` filter does, without the
    intermediate dictionary and filter objects.
    """

    __RefOnly__ = 1  # a stream is always an indirect object

    def __init__(self, content: str) -> None:
        self.content = content

    def format(self, document: PDFDocument) -> bytes:
        data: bytes = document.encrypt.encode(zlib.compress(self.content.encode("utf8")))
        head = b"<<\n/Filter [ /FlateDecode ] /Length %d\n>>\nstream\n" % len(data)
        return head + data + b"endstream\n"


def save_pdf(canvas: Canvas) -> None:
    """Lean page objects (:func:`lean_pages`), then save with Flate only.

    ReportLab also wraps compressed streams in ASCII85 by default, which (in pure Python)
    costs about 8 % of the run time and adds a quarter to the size, for nothing a printer
    needs. The switch is a module global of ReportLab's read while saving, so it is set
    around ``save()`` only (another thread saving at that moment would also skip ASCII85,
    which is harmless).
    """
    lean_pages(canvas)
    previous = rl_config.useA85
    rl_config.useA85 = 0
    try:
        canvas.save()
    finally:
        rl_config.useA85 = previous


def lean_pages(canvas: Canvas) -> int:
    """Give the plain pages of ``canvas`` one shared resource dictionary, a preformatted
    ``MediaBox`` and a :class:`FlateStream` for their content.

    A page is plain when it is compressed and uses no form XObjects, transparency states,
    colour spaces, shadings, rotation or transition — everything the label renderer draws.
    Other pages keep ReportLab's own handling. Call after the last ``showPage()``, just
    before ``save()``.

    Returns:
        The number of pages changed.
    """
    doc = canvas._doc
    shared: dict[bool, PDFObjectReference] = {}
    boxes: dict[tuple[float, float], bytes] = {}
    count = 0
    for page in doc.Pages.pages:
        if not _plain(page):
            continue
        images = bool(page.hasImages)
        ref = shared.get(images)
        if ref is None:
            resources = PDFResourceDictionary()
            resources.basicFonts()
            if images:
                resources.allProcs()
            ref = shared[images] = doc.Reference(resources, f"{SHARED_RESOURCES}{int(images)}")
        page.Resources = ref
        size = (page.pagewidth, page.pageheight)
        box = boxes.get(size)
        if box is None:  # formatted as ReportLab would: "[ 0 0 w h ]"
            box = boxes[size] = f"[ 0 0 {fp_str(size[0])} {fp_str(size[1])} ]".encode()
        page.MediaBox = box
        page.Rotate = None
        page.Trans = None
        page.Contents = FlateStream(page.stream)
        count += 1
    return count


def _plain(page: Any) -> bool:
    trans = page.Trans
    return bool(
        page.compression
        and isinstance(page.stream, str)
        and page.Contents is None
        and page.Resources is None
        and page.MediaBox is None
        and not page.XObjects
        and not page.ExtGState
        and not page._colorsUsed
        and not page._shadingUsed
        and page.Rotate in (0, None)
        and (trans is None or (isinstance(trans, PDFDictionary) and not trans.dict))
    )
