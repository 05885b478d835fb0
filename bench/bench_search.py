"""Benchmark of the search index on synthetic Spanish expediente-like records, with SQLite FTS5
and tantivy measured side by side on the same records and the same queries, in the same run.

Usage::

    python bench/bench_search.py                 # 200,000 records, all three engines
    python bench/bench_search.py --n 1000000 --dir /tmp/legajo-bench   # the real run
    python bench/bench_search.py --engines whoosh          # our index only
    python bench/bench_search.py --dir /tmp/idx --keep   # keep the indexes for a second run
    python bench/bench_search.py --dir /tmp/idx --reuse  # skip the builds, measure queries

tantivy is optional (``.venv/bin/pip install tantivy``, for the benchmark only); without it the
run goes on with the other engines. For each engine it prints build time, size and peak memory;
as-you-type p50/p95/max for 1-3 word prefixes (two-letter prefixes and very common words
included); Enter p50/p95; facets; 1,000 single-record commits (commit latency, then visibility
in search); a 1,000-record batch (commit + first search that sees it); then "a day of edits"
(200 commits of 5 updates, idle merging every 20 commits) and the queries again. Then one table
comparing the engines, with our figures as a ratio to FTS5. Data is deterministic (``--seed``).
See bench/search_baselines.py for what each engine is asked exactly.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib

from archive.search.port import SearchDoc
from archive.search.whoosh_index import WhooshSearchIndex
from bench.search_baselines import (
    Analysed,
    Fts5Engine,
    TantivyEngine,
    WhooshEngine,
    tantivy_available,
)


def _list(text: str) -> list[str]:
    """Comma-separated items (the lists stay compact, one string each)."""
    return [item.strip() for item in text.split(",") if item.strip()]


def _words(text: str) -> list[str]:
    return text.split()


FIRST = _words(
    "Juan José María Luis Carlos Ana Jorge Andrés Sofía Camila Valentina Diego Alejandro Paula "
    "Daniel Laura Santiago Natalia Felipe Carolina Ricardo Gloria Martha Hernán Óscar Ángela "
    "Lucía Héctor Rubén Iván Nubia Yolanda Édgar Germán Fabián Mónica Patricia Sebastián "
)
LAST = _words(
    "Pérez Gómez Rodríguez Martínez García López González Hernández Sánchez Ramírez Torres Díaz "
    "Vargas Moreno Rojas Jiménez Muñoz Castro Ortiz Rubio Suárez Romero Álvarez Ruiz Mendoza "
    "Castillo Quintero Peña Núñez Ibáñez Zúñiga Cárdenas Ospina Londoño Restrepo Giraldo "
    "Cardona Valencia Arango Duque Salazar Montoya Betancur Acevedo Guzmán Beltrán "
)
SERIES = _list(
    "Historias laborales, Contratos de prestación de servicios, Resoluciones, Actas de comité, "
    "Derechos de petición, Procesos disciplinarios, Licencias de construcción, Informes de "
    "gestión, Comprobantes de egreso, Convenios interadministrativos, Acciones de tutela, "
    "Circulares, Planes de acción, Procesos contractuales, Nómina, Peticiones quejas y "
    "reclamos, Historias clínicas, Conceptos jurídicos, Inventarios documentales, "
    "Correspondencia enviada "
)
DEPENDENCIAS = _list(
    "Oficina Jurídica, Talento Humano, Secretaría de Hacienda, Secretaría de Planeación, "
    "Control Interno, Despacho del Alcalde, Secretaría de Educación, Secretaría de Salud, "
    "Gestión Documental, Contratación, Tesorería, Almacén, Secretaría de Gobierno, Oficina de "
    "Sistemas, Secretaría de Obras Públicas, Atención al Ciudadano "
)
WORDS = _words(
    "solicitud respuesta anexos folios radicado oficio memorando informe técnico evaluación "
    "seguimiento auditoría hallazgos plan mejoramiento certificado cédula ciudadanía pago "
    "liquidación prestaciones sociales cesantías vacaciones incapacidad licencia permiso "
    "traslado nombramiento posesión retiro pensión reclamación recurso reposición apelación "
    "notificación demanda fallo sentencia juzgado tribunal predio avalúo impuesto predial "
    "industria comercio contribuyente acuerdo municipal decreto circular proyecto obra "
    "interventoría acta inicio liquidación suspensión prórroga adición garantía póliza "
    "cumplimiento supervisor contratista estudios previos propuesta adjudicación convocatoria "
    "estampillas factura cuenta cobro transferencia documental eliminación conservación "
    "digitalización microfilmación original copia deterioro biológico humedad restauración "
    "consulta préstamo devolución "
)
SYLLABLES = _words(
    "ba be bi bo bu ca co cu da de di do fa fe fi ga go la le li lo ma me mi mo na ne ni no pa "
    "pe pi po ra re ri ro sa se si so ta te ti to va ve vi za zo lla cha que gui tra pla bri "
)
STAGES = ("gestion", "central", "historico")


def make_docs(n: int, seed: int = 7) -> Iterator[SearchDoc]:
    """``n`` deterministic records: ~90% expedientes, cajas and carpetas."""
    rng = random.Random(seed)
    rare = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(20_000)]
    for i in range(n):
        yield make_doc(rng, i, rare)


def make_doc(rng: random.Random, i: int, rare: list[str]) -> SearchDoc:
    dep_i = rng.randrange(len(DEPENDENCIAS))
    serie_i = rng.randrange(len(SERIES))
    year = rng.randint(1985, 2025)
    person = f"{rng.choice(FIRST)} {rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(LAST)}"
    serie = SERIES[serie_i]
    kind_roll = rng.random()
    caja = f"C-{rng.randint(1, max(2, i // 25 + 1)):05d}"
    if kind_roll < 0.9:
        kind = "expediente"
        title = f"{serie} {person}" if rng.random() < 0.6 else f"{serie} {rng.choice(rare)} {year}"
    elif kind_roll < 0.95:
        kind, title = "caja", f"Caja {caja} {serie}"
    else:
        kind, title = "carpeta", f"Carpeta {rng.randint(1, 9)} {person}"
    body_words = [rng.choice(WORDS) for _ in range(rng.randint(0, 20))]
    body_words += [rng.choice(rare) for _ in range(rng.randint(0, 3))]
    if rng.random() < 0.3:
        body_words.append(f"{rng.randint(10, 99)}.{rng.randint(100, 999)}.{rng.randint(100, 999)}")
    stage = STAGES[0] if year > 2019 else (STAGES[1] if year > 2000 else STAGES[2])
    return SearchDoc(
        id=f"doc-{i:08d}",
        kind=kind,
        title=title,
        code=f"{100 + dep_i * 10}-{serie_i + 1}-{year}-{i % 10000:04d}",
        body=" ".join(body_words),
        fields={
            "dependencia": DEPENDENCIAS[dep_i],
            "serie": serie,
            "year": year,
            "stage": stage,
            "state": "cerrado" if year < 2024 else "abierto",
            "caja": caja,
        },
    )


def timed(fn: Callable[[], object], repeat: int = 1) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def row(name: str, samples: list[float]) -> str:
    return (
        f"| {name} | {len(samples)} | {statistics.median(samples):.1f} | "
        f"{pct(samples, 0.95):.1f} | {max(samples):.1f} |"
    )


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def peak_rss_mib(reset: bool = False) -> float:
    """Peak resident memory of this process (VmHWM); ``reset`` starts a new peak (Linux)."""
    if reset:
        with contextlib.suppress(OSError):
            Path("/proc/self/clear_refs").write_text("5")
    status = Path("/proc/self/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+)", status)
    return int(match.group(1)) / 1024 if match else float("nan")


TYPE_AHEAD_GROUPS = {
    "2 letters": _words("ju ma co re hi pe de sa go lo"),
    "1 word": _words(
        "his hist histo contr resol liqu mart rodr gonz lici "
        "historia contratos resoluciones expediente prestacion"  # very common words
    ),
    "2-3 words": _list(
        "historias laborales, hi la, co de, juan pe, maria go, ma lo, contratos de prestacion, "
        "juan jose pe, historias laborales ma, re ac co"
    ),
    "codes/long": ["100-1", "110-3-2019", "c-000", "constitucionalidades"],
    "with filter": _list(
        "hist año:2010..2015, ju estado:cerr, co tipo:caja, re dependencia:juridica"
    ),
}
TYPE_AHEAD = [q for group in TYPE_AHEAD_GROUPS.values() for q in group]
SEARCHES = _list(
    "historia laboral, contratos, resolución, juan, pérez, núñez gómez, juan pérez, "
    "maría rodríguez martínez, licencia construcción, acta comité, gonzalez, zúñiga ospina, "
    "tutela, interventoria, hitoria, resoluicon, contratos año:2019, "
    "dependencia:juridica pension, serie:tutela año:2015..2018, cedula, prestaciones sociales, "
    "recurso reposicion apelacion"
)
FACETS = [
    "",  # the empty query: counts of everything
    *_list(
        "historia laboral, juan, año:2019, dependencia:juridica, contratos año:2010..2020, pérez, "
        "tipo:caja, etapa:central, licencia"
    ),
]


def measure_queries(engine: Any, r: dict[str, Any], suffix: str = "", repeat: int = 5) -> None:
    """Type-ahead (by group and all) and Enter samples into ``r``; the answers too (ids)."""
    everything = []
    for label, group in TYPE_AHEAD_GROUPS.items():
        samples = [t for q in group for t in timed(lambda q=q: engine.type_ahead(q), repeat)]
        r[f"type-ahead, {label}{suffix}"] = samples
        everything += samples
    r[f"type-ahead, all{suffix}"] = everything
    r[f"Enter{suffix}"] = [t for q in SEARCHES for t in timed(lambda q=q: engine.search(q), 3)]
    r[f"answers{suffix}"] = {
        "ta": {q: engine.type_ahead(q) for q in TYPE_AHEAD},
        "enter": {q: engine.search(q) for q in SEARCHES},
    }


def run_updates(engine: Any, args: argparse.Namespace, r: dict[str, Any]) -> None:
    """Single-record commits, a 1,000-record batch, then a day of edits, each visible at once."""
    rng = random.Random(args.seed + 1)
    rare = ["zzupd" + str(i) for i in range(10)]
    commit_ms, visible_ms = [], []
    for i in range(args.updates):
        doc = make_doc(rng, rng.randrange(args.n), rare)
        doc = SearchDoc(
            doc.id, doc.kind, f"Actualizado {i} zzmark{i}", doc.code, doc.body, doc.fields
        )
        commit_ms += timed(lambda doc=doc: engine.update([doc]))
        start = time.perf_counter()
        found = engine.type_ahead(f"zzmark{i}")
        visible_ms.append((time.perf_counter() - start) * 1000)
        assert doc.id in found, (engine.name, i, found)
    r["update 1 record (commit)"] = commit_ms
    r["visible: first search after commit"] = visible_ms
    r["segments before the batch"] = engine.segments()
    batch = [make_doc(rng, rng.randrange(args.n), rare) for _ in range(1000)]
    batch[-1] = SearchDoc(batch[-1].id, "expediente", "Lote zzlote", "", "", batch[-1].fields)
    start = time.perf_counter()
    engine.update(batch)
    r["batch 1,000: commit"] = [(time.perf_counter() - start) * 1000]
    assert batch[-1].id in engine.type_ahead("zzlote"), engine.name
    r["batch 1,000: commit + searchable"] = [(time.perf_counter() - start) * 1000]
    edits, idle = [], []
    for c in range(args.edits):
        docs = [make_doc(rng, rng.randrange(args.n), rare) for _ in range(args.per_commit)]
        edits += timed(lambda docs=docs: engine.update(docs))
        if (c + 1) % 20 == 0:
            idle += timed(engine.idle)
    r[f"day of edits: {args.edits} commits of {args.per_commit}"] = edits
    r["day of edits: idle merge step"] = idle
    r["segments after edits"] = engine.segments()


def always_ranked(root: Path, r: dict[str, Any], suffix: str = "") -> None:
    """Enter with BM25 forced for every query (``rank_max_df`` unbounded), as the baselines
    do: with the default 5,000 our index answers common words unranked."""
    index = WhooshSearchIndex(root, rank_max_df=2**62)
    samples = [t for q in SEARCHES for t in timed(lambda q=q: index.search(q), 3)]
    r[f"Enter, always BM25{suffix}"] = samples
    index.close()


def run_engine(name: str, args: argparse.Namespace, root: Path) -> dict[str, Any]:
    r: dict[str, Any] = {"load before": load()}
    gc.collect()
    if name == "whoosh":
        engine: Any = WhooshEngine(root)
    elif name == "fts5":
        engine = Fts5Engine(root / "fts5.sqlite3")
    else:
        engine = TantivyEngine(root / "tantivy")
    print(f"[{time.strftime('%H:%M:%S')}] {engine.name}: load {r['load before']}", flush=True)
    if args.reuse:
        if name != "whoosh":
            engine.open()
    else:
        rss_before = peak_rss_mib(reset=True)
        start, cpu = time.perf_counter(), time.process_time()
        size = engine.build(make_docs(args.n, args.seed), args.n)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        r["build"] = (wall, cpu, size, rss_before, peak_rss_mib())
        print(f"  built in {wall:.0f} s, load {load()}", flush=True)
    if name == "whoosh":
        r["verify ms"] = (
            timed(engine.index.verify)[0],
            timed(lambda: engine.index.verify(deep=True))[0],
        )
    r["first query"] = timed(lambda: engine.type_ahead("ju"))[0]
    engine.ranked = 0
    measure_queries(engine, r)
    if name == "whoosh":
        r["Enter ranked share"] = engine.ranked / (4 * len(SEARCHES))  # 3 timed + 1 answer
        always_ranked(root, r)
    r["facets, first call"] = timed(lambda: engine.facets(""))[0]
    r["facets (warm)"] = [t for q in FACETS for t in timed(lambda q=q: engine.facets(q), 2)]
    if args.updates:
        run_updates(engine, args, r)
        measure_queries(engine, r, " after edits", repeat=3)
        if name == "whoosh":
            always_ranked(root, r, " after edits")
    r["size at the end"] = engine.size()
    r["load after"] = load()
    engine.close()
    return r


def engine_table(name: str, r: dict[str, Any]) -> list[str]:
    lines = [
        f"### {name}",
        "",
        f"- load average (1/5/15 min) before {r['load before']}, after {r['load after']}",
    ]
    if "build" in r:
        wall, cpu, size, rss0, rss = r["build"]
        lines.append(
            f"- build: {wall:.1f} s wall, {cpu:.1f} s CPU ({N / wall:,.0f} docs/s), "
            f"size {size / 2**20:.0f} MiB, peak RSS {rss:.0f} MiB (RSS before {rss0:.0f} MiB)"
        )
    if "verify ms" in r:
        lines.append("- verify: {:.0f} ms; verify(deep=True): {:.0f} ms".format(*r["verify ms"]))
    if "Enter ranked share" in r:
        lines.append(f"- Enter answered ranked (BM25): {r['Enter ranked share']:.0%} of queries")
    lines.append(f"- first query (opens the index): {r['first query']:.0f} ms")
    if "segments after edits" in r:
        lines.append(
            f"- segments: {r['segments before the batch']} before the 1,000 batch, "
            f"{r['segments after edits']} after the day of edits"
        )
    lines.append(f"- size at the end: {r['size at the end'] / 2**20:.0f} MiB")
    lines += ["", "| measure | n | p50 ms | p95 ms | max ms |", "|---|---|---|---|---|"]
    lines += [row(k, v) for k, v in r.items() if isinstance(v, list) and v]
    lines.append(f"| facets, first call | 1 | {r['facets, first call']:.1f} | | |")
    return [*lines, ""]


N = 0  # record count, for docs/s in the tables


def comparison(results: dict[str, dict[str, Any]]) -> list[str]:
    names = list(results)
    base = results.get("fts5")

    def cell(r: dict[str, Any], key: str, f: Callable[[list[float]], float]) -> float | None:
        if key not in r and "always BM25" in key:  # the baselines always rank
            key = key.replace(", always BM25", "")
        return f(r[key]) if key in r else None

    def p95(v: list[float]) -> float:
        return pct(v, 0.95)

    def build_s(r: dict[str, Any]) -> float | None:
        return r["build"][0] if "build" in r else None

    measures: list[tuple[str, Callable[[dict[str, Any]], float | None], str]] = [
        ("build, s", build_s, "≤ 300"),
        ("build peak RSS, MiB", lambda r: r["build"][4] if "build" in r else None, "≤ 1,536"),
        ("index size, MiB", lambda r: r["build"][2] / 2**20 if "build" in r else None, ""),
    ]
    for key, what, target in (
        ("type-ahead, all", "type-ahead p95, ms", "≤ 50"),
        ("type-ahead, 2 letters", "type-ahead 2 letters p95, ms", "≤ 50"),
        ("type-ahead, 1 word", "type-ahead 1 word p95, ms", "≤ 50"),
        ("type-ahead, all", "type-ahead max, ms", ""),
        ("Enter", "Enter p50, ms", "≤ 20"),
        ("Enter", "Enter p95, ms", "≤ 300"),
        ("Enter, always BM25", "Enter always ranked p50, ms", "≤ 20"),
        ("Enter, always BM25", "Enter always ranked p95, ms", "≤ 300"),
        ("facets (warm)", "facets p95, ms", "≤ 1,000"),
        ("update 1 record (commit)", "1-record commit p95, ms", ""),
        ("batch 1,000: commit + searchable", "1,000 changes searchable, ms", "≤ 2,000"),
        ("type-ahead, all after edits", "after edits: type-ahead p95, ms", "≤ 50"),
        ("Enter after edits", "after edits: Enter p50, ms", "≤ 20"),
        ("Enter after edits", "after edits: Enter p95, ms", "≤ 300"),
        ("Enter, always BM25 after edits", "after edits: Enter always ranked p95, ms", "≤ 300"),
    ):
        f = statistics.median if "p50" in what or "searchable" in what else p95
        f = max if "max" in what else f
        measures.append((what, lambda r, key=key, f=f: cell(r, key, f), target))
    measures.append(("facets first call, ms", lambda r: r["facets, first call"], ""))
    head = "| what | " + " | ".join(results[n]["label"] for n in names)
    lines = [head + " | Whoosh ÷ FTS5 | target |", "|---" * (len(names) + 3) + "|"]
    for what, get, target in measures:
        values = [get(results[n]) for n in names]
        cells = ["—" if v is None else f"{v:,.1f}" for v in values]
        ratio = ""
        if base is not None and "whoosh" in results:
            ours, theirs = get(results["whoosh"]), get(base)
            ratio = f"{ours / theirs:.2f}×" if ours is not None and theirs else ""
        lines.append(f"| {what} | " + " | ".join(cells) + f" | {ratio} | {target} |")
    return lines


def agreement(results: dict[str, dict[str, Any]]) -> list[str]:
    """How often the engines return the same number of hits (sanity check of the setup)."""
    names = [n for n in results if "answers" in results[n]]
    lines = []
    for kind in ("ta", "enter"):
        queries = results[names[0]]["answers"][kind]
        same = [
            q for q in queries if len({len(results[n]["answers"][kind][q]) for n in names}) == 1
        ]
        differ = [
            f"{q!r}: " + "/".join(str(len(results[n]["answers"][kind][q])) for n in names)
            for q in queries
            if q not in same
        ]
        lines.append(
            f"- {kind}: same hit count in {len(same)}/{len(queries)} queries"
            + (f"; differ ({'/'.join(names)}): {', '.join(differ)}" if differ else "")
        )
    return lines


def record_costs(n: int, seed: int) -> tuple[float, float]:
    """Milliseconds per record to generate it and to analyse it (on ``n`` records)."""
    sample = list(make_docs(n, seed))
    gen = timed(lambda: sum(1 for _ in make_docs(n, seed)))[0] / n
    ana = timed(lambda: [Analysed.of(d) for d in sample])[0] / n
    return gen, ana


def main() -> None:
    global N
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--updates", type=int, default=1000, help="0: queries only")
    parser.add_argument("--edits", type=int, default=200, help="commits in the day of edits")
    parser.add_argument("--per-commit", type=int, default=5)
    parser.add_argument("--engines", default="whoosh,fts5,tantivy")
    args = parser.parse_args()
    N = args.n

    root = args.dir or Path(tempfile.mkdtemp(prefix="legajo-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    engines = args.engines.split(",")
    tantivy = tantivy_available()
    lines = [
        f"Search benchmark, {date.today()}: {args.n:,} records, seed {args.seed}, {root}",
        "",
        f"- machine: {os.cpu_count()} CPUs, load average (1/5/15 min) at start {load()}",
        f"- SQLite {__import__('sqlite3').sqlite_version}; {tantivy or 'tantivy NOT installed'}",
    ]
    if "tantivy" in engines and not tantivy:
        engines.remove("tantivy")
        lines.append("- tantivy skipped: `pip install tantivy` to include it")
    gen, ana = record_costs(min(args.n, 50_000), args.seed)
    lines.append(
        f"- per record: generating it {gen * 1000:.0f} µs, analysing it (our analysis, "
        f"shared by the three engines) {ana * 1000:.0f} µs; both are in the build times"
    )
    print("\n".join(lines), flush=True)
    results: dict[str, dict[str, Any]] = {}
    for name in engines:
        results[name] = run_engine(name, args, root)
        results[name]["label"] = {"whoosh": "Legajo/Whoosh", "fts5": "FTS5"}.get(name, "tantivy")
    lines += [f"- load average at the end {load()}", ""]
    for r in results.values():
        lines += engine_table(r["label"], r)
    lines += ["### Comparison", "", *comparison(results), "", *agreement(results)]
    print("\n## Report\n")
    print("\n".join(lines))
    if not (args.keep or args.reuse or args.dir):
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
