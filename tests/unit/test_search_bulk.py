"""The bulk segment writer of rebuilds writes what Whoosh's own writer writes.

Both writers index the same records into two indexes; every term, its statistics and postings,
every field length and every stored value must be equal. This is the guard on the Whoosh
internals ``archive.search.bulk`` relies on.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from whoosh.fields import UnknownFieldError
from whoosh.index import FileIndex

from archive.search.bulk import BLOCK, BulkSegmentWriter
from archive.search.pool import new_writer
from archive.search.port import SearchDoc
from archive.search.schema import build_schema, doc_fields, fast_codec, meta_fields
from archive.search.storage import DurableFileStorage

WORDS = [
    "Historia",
    "laboral",
    "contrato",
    "prestación",
    "servicios",
    "resolución",
    "acta",
    "comité",
    "petición",
    "Gestión",
    "RESOLUCIÓN",
    "Núñez",
    "Peña",
    "cédula",
    "tutela",
    "licencia",
    "construcción",
    "informe",
    "egreso",
]


def _docs(n: int) -> list[SearchDoc]:
    rng = random.Random(3)
    docs = []
    for i in range(n):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6)))
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 12)))
        if i % 97 == 0:  # a long record: field lengths beyond one byte's exact range
            body += " " + " ".join(rng.choice(WORDS) for _ in range(400))
        fields: dict[str, str | int] = {
            "dependencia": rng.choice(("Oficina Jurídica", "Talento Humano", "Hacienda")),
            "stage": rng.choice(("gestion", "central")),
            "state": "cerrado",
        }
        if i % 3:
            fields["serie"] = rng.choice(("Contratos", "Historias laborales"))
            fields["year"] = rng.randint(1990, 2025)
        if i % 5 == 0:
            fields["caja"] = f"C-{i // 5:05d}"
        code = f"100-{i % 7}.{i % 3}-{2000 + i % 25}-{i:04d}" if i % 11 else ""
        kind = "carpeta" if i % 13 == 0 else "expediente"
        docs.append(SearchDoc(f"id-{i:05d}", kind, title, code, body, fields))
    return docs


def _build(path: Path, docs: list[SearchDoc], writer_class: Any) -> Any:
    path.mkdir()
    ix = FileIndex.create(DurableFileStorage(str(path)), build_schema(), indexname="MAIN")
    writer = writer_class(ix)
    for d in docs:
        writer.add_document(**doc_fields(d))
    writer.add_document(**meta_fields(42))
    writer.commit(merge=False)
    return ix


def _snapshot(ix: Any) -> dict[str, Any]:
    with ix.reader() as reader:
        terms = {}
        for field, text in reader.all_terms():
            info = reader.term_info(field, text)
            matcher = reader.postings(field, text)
            postings = []
            while matcher.is_active():
                postings.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            stats = (info.weight(), info.doc_frequency(), info.max_weight(), info.min_id(),
                     info.max_id(), info.min_length(), info.max_length())  # fmt: skip
            terms[field, text] = (stats, postings)
        count = reader.doc_count_all()
        scorable = [name for name in ix.schema.names() if ix.schema[name].scorable]
        return {
            "count": count,
            "terms": terms,
            "stored": [reader.stored_fields(n) for n in range(count)],
            "lengths": {f: [reader.doc_field_length(n, f) for n in range(count)] for f in scorable},
            "totals": {f: reader.field_length(f) for f in scorable},
        }


def test_bulk_writer_writes_what_whoosh_writes(tmp_path: Path) -> None:
    docs = _docs(1_500)
    whoosh = _snapshot(_build(tmp_path / "whoosh", docs, new_writer))
    bulk = _snapshot(
        _build(tmp_path / "bulk", docs, lambda ix: BulkSegmentWriter(ix, codec=fast_codec()))
    )
    assert bulk["count"] == whoosh["count"] == 1_501
    assert bulk["terms"].keys() == whoosh["terms"].keys()
    long_lists = [k for k, (stats, _p) in whoosh["terms"].items() if stats[1] > 2 * BLOCK]
    assert long_lists, "some posting lists must span several blocks"
    assert any(w > 1 for (_s, p) in whoosh["terms"].values() for _d, w, _v in p), "frequencies"
    for key, expected in whoosh["terms"].items():
        assert bulk["terms"][key] == expected, key
    assert bulk["stored"] == whoosh["stored"]
    assert bulk["lengths"] == whoosh["lengths"]
    assert max(n or 0 for n in whoosh["lengths"]["text"]) > 255
    assert bulk["totals"] == whoosh["totals"]


def test_bulk_writer_analyses_plain_values_like_whoosh(tmp_path: Path) -> None:
    """A string given to a term-list field goes through the field's analyzer, as in Whoosh."""
    fields = {"id": "x1", "kind": "expediente", "title": "Resoluciones de Gestión",
              "text": "Resoluciones RESOLUCIÓN gestión", "prefix": "Resolución 100-2"}  # fmt: skip
    snaps = []
    for name, factory in (
        ("w", new_writer),
        ("b", lambda ix: BulkSegmentWriter(ix, codec=fast_codec())),
    ):
        path = tmp_path / name
        path.mkdir()
        ix = FileIndex.create(DurableFileStorage(str(path)), build_schema(), indexname="MAIN")
        writer = factory(ix)
        writer.add_document(**fields)
        writer.commit(merge=False)
        snaps.append(_snapshot(ix))
    assert snaps[0] == snaps[1]


def test_bulk_writer_refuses_unknown_fields(tmp_path: Path) -> None:
    ix = FileIndex.create(DurableFileStorage(str(tmp_path)), build_schema(), indexname="MAIN")
    writer = BulkSegmentWriter(ix, codec=fast_codec())
    with pytest.raises(UnknownFieldError):
        writer.add_document(id="x", nonsense="y")
    writer.cancel()
