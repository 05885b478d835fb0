"""The large generated corpus through the pipeline: no false read at all, and a decode-rate
floor (slow: run with ``pytest -m slow``; the benchmark prints the full table)."""

from __future__ import annotations

import pytest

from archive.domain.barcodes import normalize_scan
from scanners.decode import decode_page
from tests.samples.decode.make_corpus import corpus


@pytest.mark.slow
def test_large_corpus_no_false_reads_and_rate_floor() -> None:
    expected_total = found_total = 0
    false_reads: list[tuple[str, str]] = []
    for sample in corpus(large=True):
        expected = {normalize_scan(v) for v in sample.expected}
        got = {d.value for d in decode_page(sample.image).found}
        false_reads += [(sample.name, v) for v in got - expected]
        expected_total += len(expected)
        found_total += len(expected & got)
    assert false_reads == []
    assert found_total / expected_total >= 0.85, (found_total, expected_total)
