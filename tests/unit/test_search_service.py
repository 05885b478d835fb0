"""Search end to end: the index follows the change feed, exact lookups go to SQL, crashes and
corruption never lose an update."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.db.engine import sqlite_url
from archive.services.expedientes import ExpedienteInput
from archive.services.search_docs import DatabaseDocs, all_docs, count_all
from tests.conftest import build_services

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def indexed(services, admin):
    services.org.add_dependencia(admin, code="120", name="Secretaría de Hacienda")
    services.org.add_dependencia(admin, code="130", name="Planeación")
    services.expedientes.create(admin, ExpedienteInput("120", "2019-120-1", "Resolución de gestión presupuestal"))
    services.expedientes.create(admin, ExpedienteInput("130", "2019-130-1", "Licencia de construcción vereda El Recreo"))
    services.search.ensure()
    return services


def titles(answer) -> list[str]:
    return [h.title for h in answer.hits]


def test_spanish_folding_and_prefixes(indexed, admin) -> None:
    assert titles(indexed.search.search(admin, "resolucion gestion")) == ["Resolución de gestión presupuestal"]
    assert titles(indexed.search.search(admin, "RESOL")) == ["Resolución de gestión presupuestal"]
    assert titles(indexed.search.search(admin, "construccion", as_you_type=False)) == ["Licencia de construcción vereda El Recreo"]
    assert titles(indexed.search.search(admin, "dependencia:130")) == ["Licencia de construcción vereda El Recreo"]


def test_changes_become_searchable_through_the_feed(indexed, admin) -> None:
    eid = indexed.expedientes.create(admin, ExpedienteInput("120", "2020-120-9", "Contrato de suministro de papelería"))
    assert titles(indexed.search.search(admin, "papeleria")) == []  # not yet applied
    assert indexed.search.catch_up() > 0
    assert titles(indexed.search.search(admin, "papeleria")) == ["Contrato de suministro de papelería"]
    assert indexed.search.catch_up() == 0  # idempotent: nothing left
    indexed.expedientes.close(admin, eid, __import__("datetime").date(2020, 12, 31))
    indexed.search.catch_up()
    assert titles(indexed.search.search(admin, "papeleria estado:cerrado")) == ["Contrato de suministro de papelería"]


def test_caja_filter_after_a_rebuild_and_through_the_feed(indexed, admin) -> None:
    [box] = indexed.units.register(admin, type_code="X200")
    eid = indexed.expedientes.create(admin, ExpedienteInput("120", "2021-120-7", "Acta de comité de compras"))
    indexed.units.register(admin, type_code="CAR4", parent_barcode=box.barcode, expediente_id=eid)
    indexed.search.catch_up()
    query = f"caja:{box.barcode}"
    assert titles(indexed.search.search(admin, query)) == ["Acta de comité de compras"]
    indexed.search.rebuild()
    assert titles(indexed.search.search(admin, query)) == ["Acta de comité de compras"]


def test_parallel_rebuild_reads_every_record_once(indexed, admin) -> None:
    indexed.units.register(admin, type_code="X200", count=30)
    url = indexed.rt.db.engine.url.render_as_string(hide_password=False)
    with indexed.rt.db.sessions() as s:
        everything = sorted(d.id for d in all_docs(s))
        total = count_all(s)
    shards = [[d.id for d in DatabaseDocs(url, 3).shard_docs(i)] for i in range(3)]
    assert all(shards) and sorted(i for shard in shards for i in shard) == everything and len(everything) == total
    indexed.search.rebuild_parallel_from = 0  # worker processes even for a small database
    assert indexed.search.rebuild() == total
    assert titles(indexed.search.search(admin, "recreo")) == ["Licencia de construcción vereda El Recreo"]
    assert indexed.search.index.verify().doc_count == total


def test_exact_lookups_come_from_sql(indexed, admin) -> None:
    [box] = indexed.units.register(admin, type_code="X200")
    answer = indexed.search.search(admin, box.barcode.lower())  # not indexed yet: SQL finds it
    assert [h.code for h in answer.exact] == [box.barcode]
    assert [h.code for h in indexed.search.search(admin, "2019-120-1").exact] == ["2019-120-1"]


def test_own_dependencia_users_see_only_their_office(indexed, admin) -> None:
    indexed.users.add(admin, username="hacienda", full_name="H", role_code="usuario_dependencia", dependencia_code="120", password="Pradera-2026x")
    h = indexed.auth.login("hacienda", "Pradera-2026x")
    assert titles(indexed.search.search(h, "licencia")) == []
    assert titles(indexed.search.search(h, "resolucion")) == ["Resolución de gestión presupuestal"]


def test_a_corrupt_index_is_rebuilt_and_sql_answers_meanwhile(indexed, admin) -> None:
    index_dir = indexed.search.index_dir
    indexed.search.index.close()
    indexed.search._index = None
    for f in index_dir.rglob("*.seg"):
        f.write_bytes(b"\x00garbage" * 100)
    answer = indexed.search.search(admin, "licencia")
    assert answer.fallback and titles(answer) == ["Licencia de construcción vereda El Recreo"]
    assert indexed.search.ensure() is True
    assert titles(indexed.search.search(admin, "licencia")) == ["Licencia de construcción vereda El Recreo"]


def test_killed_while_indexing_loses_nothing(data_dir, clock) -> None:
    """A process applying a large feed is SIGKILLed; the next catch-up completes the index."""
    sv = build_services(sqlite_url(data_dir), clock)
    sv.demo.generate(None, 3000)
    sv.search.rebuild()  # empty-ish start: cursor at the end of the feed
    admin = sv.auth.login("admin", "Archivo2026demo")
    ids = sv.expedientes.ids(admin, __import__("archive.services.expedientes", fromlist=["x"]).ExpedienteFilter())
    batch = sv.batches.preview_close(admin, ids[:2500], __import__("datetime").date(2025, 12, 31))
    sv.batches.apply(admin, batch)  # thousands of pending feed rows
    sv.rt.db.close()
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from tests.conftest import build_services\n"
        "from archive.db.engine import sqlite_url\n"
        "from pathlib import Path\n"
        f"sv = build_services(sqlite_url(Path({str(data_dir)!r})))\n"
        "import archive.services.search as s; s.FEED_BATCH = 200\n"
        "print('go', flush=True); sv.search.catch_up()\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, cwd=ROOT, env=os.environ | {"QT_QPA_PLATFORM": "offscreen"})
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"go"
    time.sleep(1.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    sv = build_services(sqlite_url(data_dir), clock)
    sv.search.ensure()  # a half-written commit is either invisible or detected
    sv.search.catch_up()
    status = sv.search.status()
    with sv.rt.db.sessions() as s:
        assert status.health.doc_count == count_all(s)
    assert status.pending == 0
    closed = sv.search.search(admin, "estado:cerrado", limit=5000).result
    assert closed is not None and (closed.total or 0) >= 2500
    sv.rt.db.close()
