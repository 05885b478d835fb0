"""The Whoosh search index: searching, filters, facets, updates, cursor, writer safety."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from archive.domain.errors import ValidationError
from archive.domain.progress import JobCancelled
from archive.search.errors import SearchIndexUnavailable, SearchUpdateConflict
from archive.search.parallel import RebuildWorkerFailed
from archive.search.port import DEFAULT_FACETS, HealthState, SearchDoc
from archive.search.query import FieldFilter, parse_query
from archive.search.whoosh_index import WhooshSearchIndex


def doc(
    doc_id: str,
    title: str,
    *,
    kind: str = "expediente",
    code: str = "",
    body: str = "",
    **fields: str | int,
) -> SearchDoc:
    return SearchDoc(doc_id, kind, title, code, body, fields)


DOCS = [
    doc(
        "e1",
        "Historia laboral de Juan Pérez Núñez",
        code="100-2.3-2019-0045",
        body="cédula 79.123.456",
        dependencia="Oficina Jurídica",
        serie="Historias laborales",
        year=2019,
        stage="gestion",
        state="abierto",
        caja="C-0045",
    ),
    doc(
        "e2",
        "RESOLUCIÓN de nombramiento",
        code="200-5-2015-0001",
        dependencia="Talento Humano",
        serie="Resoluciones",
        year=2015,
        stage="central",
        state="cerrado",
    ),
    doc(
        "e3",
        "Contrato de obra pública",
        code="100-7-2008-0002",
        body="interventoría inconstitucionalidades",
        dependencia="Oficina Jurídica Regional",
        serie="Contratos",
        year=2008,
        stage="historico",
        state="cerrado",
    ),
    doc(
        "c1",
        "Caja de contratos 2018",
        kind="caja",
        code="C-0099",
        dependencia="Oficina Jurídica",
        serie="Contratos",
        year=2018,
        stage="central",
        state="cerrado",
    ),
    doc(
        "e4",
        "Acta de gestión documental, derecho de petición",
        body="resolución anexa",
        year=2021,
        stage="gestion",
    ),
]


@pytest.fixture
def index(tmp_path: Path) -> Iterator[WhooshSearchIndex]:
    ix = WhooshSearchIndex(tmp_path / "search", lock_timeout=2.0)
    ix.rebuild(DOCS, total=len(DOCS), cursor=10)
    yield ix
    ix.close()


def ids(result: object) -> list[str]:
    return [h.id for h in result.hits]  # type: ignore[attr-defined]


# -- as-you-type -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ju", ["e1"]),  # two letters
        ("pé", ["e1", "e4"]),  # Pérez, petición
        ("nu", ["e1"]),  # ñ folds to n
        ("gestion", ["e4"]),  # accent-insensitive
        ("RESOLUC", ["e2"]),
        ("hist lab", ["e1"]),  # every word is a prefix, AND
        ("historia de", ["e1"]),  # a stop word does not blank the list while typing
        ("historia de ju", ["e1"]),
        ("de", ["e4"]),  # alone, a stop word is a prefix ("derecho")
        ("100-2", ["e1"]),  # a code from its start
        ("contr", ["c1", "e3"]),
    ],
)
def test_type_ahead_prefixes(index: WhooshSearchIndex, typed: str, expected: list[str]) -> None:
    assert sorted(ids(index.type_ahead(typed))) == sorted(expected)


def test_type_ahead_ignores_one_letter_words(index: WhooshSearchIndex) -> None:
    assert index.type_ahead("j").hits == ()
    assert ids(index.type_ahead("j ju")) == ["e1"]


def test_type_ahead_cuts_words_longer_than_the_ngrams(tmp_path: Path) -> None:
    ix = WhooshSearchIndex(tmp_path / "s")
    ix.rebuild([doc("x", "Demanda de inconstitucionalidades"), doc("y", "Otro")])
    assert ids(ix.type_ahead("inconstitucionalidades")) == ["x"]
    assert ids(ix.type_ahead("inconstitucional")) == ["x"]
    ix.close()


def test_type_ahead_stops_at_limit(tmp_path: Path) -> None:
    ix = WhooshSearchIndex(tmp_path / "s")
    ix.rebuild([doc(f"d{i}", f"Historia número {i}") for i in range(30)])
    result = ix.type_ahead("hi", limit=10)
    assert len(result.hits) == 10 and result.more and result.total is None and not result.ranked
    small = ix.type_ahead("hi", limit=50)
    assert small.total == 30 and not small.more
    ix.close()


# -- whole-word search -------------------------------------------------------------------------


def test_search_folds_and_stems(index: WhooshSearchIndex) -> None:
    assert ids(index.search("resolucion")) == ["e2", "e4"]  # title match ranks first
    assert ids(index.search("historias laborales")) == ["e1"]
    assert sorted(ids(index.search("contratos"))) == ["c1", "e3"]
    result = index.search("resolución")
    assert result.ranked and result.total == 2 and result.hits[0].score is not None


def test_search_finds_numbers_however_typed(index: WhooshSearchIndex) -> None:
    assert ids(index.search("79123456")) == ["e1"]
    assert ids(index.search("79.123.456")) == ["e1"]


def test_search_widens_to_prefixes_and_typos_when_little_is_found(
    index: WhooshSearchIndex,
) -> None:
    typo = index.search("resoluicon")  # swapped letters
    assert ids(typo) == ["e2", "e4"] and typo.fuzzy
    assert ids(index.search("nombramento")) == ["e2"]  # a missing letter
    unfinished = index.search("nombramie")  # Enter pressed mid-word
    assert ids(unfinished) == ["e2"] and unfinished.fuzzy
    assert index.search("interven").hits == ()  # notes are not prefix-indexed
    assert index.search("zzzzzz").hits == ()


def test_unranked_hits_by_sets_equal_the_matcher_walk(tmp_path: Path) -> None:
    """Enter's set-based unranked path returns the same hits, in the same order, as walking
    Whoosh's matchers, across segments and deletions."""
    from whoosh import query as wq

    from archive.search import queries

    ix = WhooshSearchIndex(tmp_path / "ix", rebuild_segment_docs=1_000)
    words = ("gestion", "contrato", "acta", "historia", "laboral", "nomina")
    ix.rebuild(doc(f"d{i}", " ".join(words[j] for j in range(6) if (i >> j) % 3 == 0), serie="Actas" if i % 4 else "Contratos")
               for i in range(2_600))  # fmt: skip
    ix.update([doc("d5", "gestion acta nueva")], [f"d{i}" for i in range(0, 2_600, 7)])
    with ix._reading() as searcher:
        for q in (
            wq.And([wq.Term("text", "gestion"), wq.Term("text", "act")]),
            wq.And([wq.Term("text", "contrat"), wq.Term("text", "nomin"), wq.Term("serie", "contrat")]),
            wq.AndNot(wq.Term("text", "histori"), wq.Or([wq.Term("text", "laboral"), wq.Term("text", "act")])),
            wq.And([wq.Term("text", "gestion"), wq.Term("text", "nada")]),
        ):
            for limit in (1, 20, 5_000):
                assert queries.first_hits_by_sets(searcher, q, limit) == queries.first_hits(searcher, q, limit)
    ix.close()


def test_excluded_words_are_excluded_from_the_first_match(tmp_path: Path) -> None:
    """Whoosh's AND NOT returned its first candidate unchecked when the excluded word's
    postings started earlier (fixed in archive.search.patches)."""
    ix = WhooshSearchIndex(tmp_path / "ix")
    ix.rebuild([doc("a", "Acta de comité"), doc("b", "Historia laboral con acta"), doc("c", "Historia laboral")])
    assert ids(ix.search("historia -acta")) == ["c"]
    assert ids(ix.type_ahead("histo -acta")) == ["c"]
    ix.close()


def test_common_words_are_not_ranked(tmp_path: Path) -> None:
    ix = WhooshSearchIndex(tmp_path / "s", rank_max_df=5)
    ix.rebuild([doc(f"d{i}", f"Historia laboral {i}") for i in range(12)])
    result = ix.search("historia", limit=5)
    assert not result.ranked and len(result.hits) == 5 and result.more
    ix.close()


# -- filters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("año:2015..2019", ["c1", "e1", "e2"]),
        ("AÑO:..2010", ["e3"]),
        ("ano:2019..", ["e1", "e4"]),
        ("año:2019", ["e1"]),
        ("tipo:caja", ["c1"]),
        ("estado:cerr", ["c1", "e2", "e3"]),
        ("-estado:cerrado", ["e1", "e4"]),
        ("Etapa:Histórico", ["e3"]),
        ("serie:contrato", ["c1", "e3"]),
        ("dependencia:juridica", ["c1", "e1", "e3"]),
        ('dependencia:="oficina juridica"', ["c1", "e1"]),
        ("caja:c-0045", ["e1"]),
        ("contrato año:2018", ["c1"]),
        ("contr tipo:expediente", ["e3"]),
        ("año:1900..1950", []),
        ("-contrato dependencia:juridica", ["e1"]),
    ],
)
def test_filters(index: WhooshSearchIndex, query: str, expected: list[str]) -> None:
    assert sorted(ids(index.type_ahead(query))) == expected
    assert sorted(ids(index.search(query))) == expected


# -- facets ------------------------------------------------------------------------------------


def test_facets_of_everything_and_of_a_query(index: WhooshSearchIndex) -> None:
    everything = index.facets("")
    assert everything.total == len(DOCS)
    deps = {fv.value: fv.count for fv in everything.get("dependencia")}
    assert deps == {"Oficina Jurídica": 2, "Talento Humano": 1, "Oficina Jurídica Regional": 1}
    assert everything.get("dependencia")[0].value == "Oficina Jurídica"
    years = {fv.value for fv in everything.get("year")}
    assert years == {2008, 2015, 2018, 2019, 2021}
    contratos = index.facets("contrato")
    assert contratos.total == 2
    assert {fv.value: fv.count for fv in contratos.get("stage")} == {"central": 1, "historico": 1}
    assert index.facets("año:2019", fields=("state", "kind")).get("state")[0].value == "abierto"


def test_facet_counts_follow_deletions(index: WhooshSearchIndex) -> None:
    assert {fv.value for fv in index.facets("").get("serie")} >= {"Resoluciones"}
    index.delete(["e2"])
    assert "Resoluciones" not in {fv.value for fv in index.facets("").get("serie")}
    assert index.facets("resolucion").total == 1


def test_warming_builds_each_segments_facet_tables_once(index: WhooshSearchIndex) -> None:
    before = index.facets("")  # builds the tables of the current segments
    assert index.warm_facets() == 0  # nothing left to build
    index.update([replace(DOCS[0], id="w1", title="Acta nueva")])  # a new segment
    built = index.warm_facets()
    assert built == len(DEFAULT_FACETS)  # the new segment's tables only (one per facet)
    assert index.warm_facets() == 0
    after = index.facets("")
    assert after.total == before.total + 1
    assert index.facets("acta").total >= 1


def test_facet_click_round_trip(index: WhooshSearchIndex) -> None:
    value = index.facets("").get("dependencia")[0].value
    query = parse_query("").with_filter(FieldFilter("dependencia", str(value), exact=True))
    assert sorted(ids(index.search(query))) == ["c1", "e1"]


# -- updates and the cursor --------------------------------------------------------------------


def test_update_replaces_by_id_and_is_idempotent(index: WhooshSearchIndex) -> None:
    renamed = doc("e2", "Decreto de encargo", year=2016)
    index.update([renamed], cursor=11)
    index.update([renamed], cursor=11)
    assert index.search("nombramiento").hits == ()
    assert ids(index.search("decreto")) == ["e2"]
    assert index.verify().doc_count == len(DOCS)
    index.delete(["e2", "no-such-id"], cursor=12)
    index.delete(["e2"])
    assert index.verify().doc_count == len(DOCS) - 1
    assert index.stored_cursor() == 12


def test_cursor_is_stored_with_the_commit(index: WhooshSearchIndex) -> None:
    assert index.stored_cursor() == 10
    index.update([doc("n1", "Nuevo")])  # no cursor: unchanged
    assert index.stored_cursor() == 10
    index.update(cursor=15)  # a batch with nothing to index still advances the cursor
    assert index.stored_cursor() == 15
    reopened = WhooshSearchIndex(index.root.root)
    assert reopened.stored_cursor() == 15 and reopened.verify().cursor == 15
    reopened.close()


def test_writer_error_commits_nothing_and_is_raised(index: WhooshSearchIndex) -> None:
    bad = doc("b1", "Malo", kind="no-such-kind")
    with pytest.raises(ValidationError) as raised:
        index.update([doc("g1", "Bueno uno"), doc("g2", "Bueno dos"), bad], ["e1"], cursor=99)
    assert raised.value.code == "search.doc.invalid"
    assert index.search("bueno").hits == ()
    assert ids(index.search("juan")) == ["e1"]
    assert index.stored_cursor() == 10
    index.update([doc("g3", "Bueno tres")])  # the lock was released
    assert ids(index.search("bueno")) == ["g3"]


def test_commit_failure_is_raised_and_leaves_the_index_as_it_was(
    index: WhooshSearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    from whoosh.index import TOC

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(TOC, "write", disk_full)
        with pytest.raises(OSError, match="No space"):
            index.update([doc("g1", "Bueno")], cursor=50)
    assert index.search("bueno").hits == ()
    assert index.stored_cursor() == 10
    index.update([doc("g1", "Bueno")], cursor=51)
    assert ids(index.search("bueno")) == ["g1"] and index.stored_cursor() == 51


def test_a_batch_cannot_add_and_delete_the_same_id(index: WhooshSearchIndex) -> None:
    with pytest.raises(SearchUpdateConflict):
        index.update([doc("e1", "x")], ["e1"])


def test_searches_in_threads_while_updating(index: WhooshSearchIndex) -> None:
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        try:
            while not stop.is_set():
                assert ids(index.type_ahead("juan")) == ["e1"]
                index.search("resolucion")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for i in range(15):
        index.update([doc(f"t{i}", f"Tanda {i}")], cursor=100 + i)
    stop.set()
    for t in threads:
        t.join()
    assert not errors
    assert index.type_ahead("tanda", limit=50).total == 15


# -- rebuild, verify, merge --------------------------------------------------------------------


def test_missing_index_is_reported_not_raised(tmp_path: Path) -> None:
    ix = WhooshSearchIndex(tmp_path / "none")
    health = ix.verify()
    assert health.state is HealthState.MISSING and health.needs_rebuild
    with pytest.raises(SearchIndexUnavailable):
        ix.search("algo")


def test_rebuild_swaps_generations_and_keeps_search_working(
    index: WhooshSearchIndex, tmp_path: Path
) -> None:
    assert ids(index.type_ahead("juan")) == ["e1"]
    old = index.root.current_generation()
    seen: list[tuple[int, int]] = []
    report = index.rebuild(
        lambda: iter([doc("z1", "Zapata"), doc("z2", "Zuluaga")]),
        total=2,
        progress=lambda done, total, label: seen.append((done, total)),
        cursor=77,
    )
    assert report.docs == 2 and seen[-1] == (2, 2)
    assert index.type_ahead("juan").hits == ()
    assert sorted(ids(index.type_ahead("z"))) == [] and len(index.type_ahead("zu").hits) == 1
    assert index.stored_cursor() == 77
    assert old is not None and not old.exists()
    assert [p.name for p in index.root.root.iterdir() if p.is_dir()] == ["gen-000002"]


def test_cancelled_rebuild_leaves_the_live_index(index: WhooshSearchIndex) -> None:
    many = (doc(f"m{i}", f"Masivo {i}") for i in range(5000))
    with pytest.raises(JobCancelled):
        index.rebuild(many, cancelled=lambda: True)
    assert ids(index.type_ahead("juan")) == ["e1"]
    assert not [p for p in index.root.root.iterdir() if p.name.endswith(".build")]


def test_failing_source_leaves_the_live_index(index: WhooshSearchIndex) -> None:
    def broken() -> Iterator[SearchDoc]:
        yield doc("x1", "Primero")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError, match="went away"):
        index.rebuild(broken)
    assert ids(index.type_ahead("juan")) == ["e1"] and index.stored_cursor() == 10
    assert index.verify().state is HealthState.OK


@dataclass(frozen=True)
class Shards:
    """A picklable sharded source: record i goes to shard i % shards; ``broken`` fails a shard."""

    n: int
    shards: int = 2
    broken: int | None = None

    def shard_docs(self, shard: int) -> Iterator[SearchDoc]:
        for i in range(shard, self.n, self.shards):
            if shard == self.broken and i >= 1_500:
                raise RuntimeError("shard went away")
            yield doc(f"s{i}", f"Historia {i} de {'Pérez' if i % 2 else 'Núñez'}", serie="Contratos")


def test_rebuild_writes_large_sources_in_several_segments(tmp_path: Path) -> None:
    ix = WhooshSearchIndex(tmp_path / "ix", rebuild_segment_docs=1_000)
    report = ix.rebuild((doc(f"d{i}", f"Historia número {i}") for i in range(2_500)), cursor=5)
    health = ix.verify(deep=True)
    assert report.docs == 2_500 and health.doc_count == 2_500 and health.segments == 3
    assert ids(ix.type_ahead("historia 2499")) == ["d2499"] and ids(ix.search("numero 7")) == ["d7"]
    assert ix.stored_cursor() == 5
    ix.close()


def test_parallel_rebuild_with_worker_processes(tmp_path: Path) -> None:
    ix = WhooshSearchIndex(tmp_path / "ix", rebuild_segment_docs=2_000)  # 1,000 per worker
    seen: list[int] = []
    report = ix.rebuild(Shards(4_001), total=4_001, cursor=9, progress=lambda d, t, label: seen.append(d))
    health = ix.verify(deep=True)
    assert report.docs == 4_001 and health.doc_count == 4_001 and health.cursor == 9
    assert health.segments >= 4  # two per worker, plus the one holding the cursor
    assert seen[-1] == 4_001
    assert ids(ix.type_ahead("historia 4000")) == ["s4000"] and ids(ix.type_ahead("historia 1")) != []
    assert ix.facets("nunez").get("serie")[0].count == 2_001
    gen = ix.root.current_generation()
    assert gen is not None and not [p for p in gen.iterdir() if p.is_dir()]  # parts adopted
    ix.close()


def test_a_failing_worker_leaves_the_live_index(index: WhooshSearchIndex) -> None:
    with pytest.raises(RebuildWorkerFailed, match="shard went away"):
        index.rebuild(Shards(4_000, broken=1))
    assert ids(index.type_ahead("juan")) == ["e1"] and index.stored_cursor() == 10
    assert not [p for p in index.root.root.iterdir() if p.name.endswith(".build")]


def test_a_cancelled_parallel_rebuild_stops_its_workers(index: WhooshSearchIndex) -> None:
    with pytest.raises(JobCancelled):
        index.rebuild(Shards(1_000_000), cancelled=lambda: True)
    assert ids(index.type_ahead("juan")) == ["e1"]
    assert not [p for p in index.root.root.iterdir() if p.name.endswith(".build")]


def test_outdated_schema_needs_rebuild(index: WhooshSearchIndex) -> None:
    gen = index.root.current_generation()
    assert gen is not None
    (gen / "legajo-index.json").write_text('{"schema_version": 0}', encoding="utf-8")
    fresh = WhooshSearchIndex(index.root.root)
    health = fresh.verify()
    assert health.state is HealthState.OUTDATED and health.schema_version == 0
    with pytest.raises(SearchIndexUnavailable):
        fresh.type_ahead("juan")
    fresh.rebuild(DOCS)
    assert fresh.verify().state is HealthState.OK
    fresh.close()


def test_optimize_step_merges_small_segments(index: WhooshSearchIndex) -> None:
    for i in range(6):
        index.update([doc(f"s{i}", f"Segmento {i}")], cursor=20 + i)
    before = index.verify()
    assert before.segments is not None and before.segments > 1
    report = index.optimize_step(max_docs=None)
    after = index.verify()
    assert report.done and after.segments == 1 and after.deleted == 0
    assert after.doc_count == before.doc_count and after.cursor == 25
    assert len(index.type_ahead("segmento").hits) == 6
    assert index.optimize_step().done


class FakeSegment:
    def __init__(self, docs: int) -> None:
        self.docs = docs

    def doc_count_all(self) -> int:
        return self.docs


def test_commit_merge_plan_is_tiered_and_bounded() -> None:
    from archive.search.maintenance import tiered_plan

    big = [FakeSegment(20_000) for _ in range(40)]  # what a large rebuild leaves
    assert tiered_plan(big, 1_000) == []
    ones = [FakeSegment(1) for _ in range(10)]
    assert tiered_plan([*big, *ones[:9]], 1_000) == []
    assert tiered_plan([*big, *ones], 1_000) == ones
    hundreds = [FakeSegment(100 + i) for i in range(12)]
    plan = tiered_plan([*big, *hundreds], 1_000)
    assert len(plan) >= 2 and sum(s.docs for s in plan) <= 1_000


def test_single_record_commits_keep_few_segments(index: WhooshSearchIndex) -> None:
    for i in range(25):
        index.update([doc(f"u{i}", f"Uno {i}")], cursor=30 + i)
    health = index.verify()
    assert health.segments is not None and health.segments <= 12
    assert index.type_ahead("uno", limit=100).total == 25
