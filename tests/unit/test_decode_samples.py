"""Each committed sample in tests/samples/decode/files has its own test: the expected values, or
no read at all (a wrong read is worse than none). Regenerate with
``python -m tests.samples.decode.make_corpus --small``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from archive.domain.errors import ValidationError
from scanners.decode import decode_file, decode_page
from scanners.images import load_pages

FILES = Path(__file__).parents[1] / "samples" / "decode" / "files"
MANIFEST: dict[str, list[str]] = json.loads((FILES / "manifest.json").read_text("utf-8"))


def test_committed_corpus_is_small() -> None:
    assert sum(f.stat().st_size for f in FILES.iterdir()) <= 2 * 1024 * 1024


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_sample(name: str) -> None:
    found = decode_file(FILES / name)
    assert sorted(d.value for d in found) == sorted(MANIFEST[name])


def test_multipage_files_report_pages_and_positions() -> None:
    for name in ("multipage.tif", "scanner.pdf"):
        found = decode_file(FILES / name)
        assert sorted(d.page for d in found) == [1, 2, 3], name
        for d in found:
            x, y, w, h = d.position
            assert w > 0 and h > 0 and x >= 0 and y >= 0


def test_legajo_value_confirmed_by_check_others_by_agreement() -> None:
    [label] = decode_file(FILES / "label-expediente--clean.png")
    assert label.confirmed_by == "check" and label.symbology == "code128"
    [ext] = decode_file(FILES / "code128-ARCH-CEN--clean.png")
    assert "+" in ext.confirmed_by


def test_wrong_check_character_is_rejected_not_reported() -> None:
    [page] = load_pages(FILES / "neg-wrongcheck--clean.png")
    result = decode_page(page)
    assert result.found == [] and len(result.rejected) == 1


def test_single_engine_single_variant_read_is_not_enough() -> None:
    """An external value read by one engine on one variant only is refused."""
    [page] = load_pages(FILES / "code128-ARCH-CEN--clean.png")
    assert decode_page(page, engines=("zxing",)).found  # zxing alone confirms across variants…
    blank = np.full((200, 200), 255, np.uint8)
    assert decode_page(blank).found == []


def test_unsupported_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as e:
        list(load_pages(tmp_path / "x.docx"))
    assert e.value.code == "decode.unsupported"
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnot a png at all")
    with pytest.raises(ValidationError) as e:
        list(load_pages(bad))
    assert e.value.code == "decode.unreadable"
    pdf = tmp_path / "broken.pdf"
    pdf.write_bytes(b"%PDF-1.4 garbage")
    with pytest.raises(ValidationError) as e:
        list(load_pages(pdf))
    assert e.value.code == "decode.unreadable"
