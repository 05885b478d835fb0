"""Benchmark of the search index on synthetic Spanish expediente-like records.

Usage::

    python bench/bench_search.py                 # 200,000 records
    python bench/bench_search.py --n 1000000     # the real run (1M records)
    python bench/bench_search.py --dir /tmp/idx --keep   # keep the index for a second run
    python bench/bench_search.py --dir /tmp/idx --reuse  # skip the build, measure queries

Prints a Markdown table: build time, size and peak RSS; as-you-type p50/p95/max for 1-3 word
prefixes (two-letter prefixes and very common words included); ranked search p50/p95; facets
p95; 1,000 single-record updates (commit latency, then visibility in search) and a 1,000-record
batch. Data is deterministic (``--seed``).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.search.port import SearchDoc
from archive.search.whoosh_index import WhooshSearchIndex

FIRST = [
    "Juan",
    "José",
    "María",
    "Luis",
    "Carlos",
    "Ana",
    "Jorge",
    "Andrés",
    "Sofía",
    "Camila",
    "Valentina",
    "Diego",
    "Alejandro",
    "Paula",
    "Daniel",
    "Laura",
    "Santiago",
    "Natalia",
    "Felipe",
    "Carolina",
    "Ricardo",
    "Gloria",
    "Martha",
    "Hernán",
    "Óscar",
    "Ángela",
    "Lucía",
    "Héctor",
    "Rubén",
    "Iván",
    "Nubia",
    "Yolanda",
    "Édgar",
    "Germán",
    "Fabián",
    "Mónica",
    "Patricia",
    "Sebastián",
]
LAST = [
    "Pérez",
    "Gómez",
    "Rodríguez",
    "Martínez",
    "García",
    "López",
    "González",
    "Hernández",
    "Sánchez",
    "Ramírez",
    "Torres",
    "Díaz",
    "Vargas",
    "Moreno",
    "Rojas",
    "Jiménez",
    "Muñoz",
    "Castro",
    "Ortiz",
    "Rubio",
    "Suárez",
    "Romero",
    "Álvarez",
    "Ruiz",
    "Mendoza",
    "Castillo",
    "Quintero",
    "Peña",
    "Núñez",
    "Ibáñez",
    "Zúñiga",
    "Cárdenas",
    "Ospina",
    "Londoño",
    "Restrepo",
    "Giraldo",
    "Cardona",
    "Valencia",
    "Arango",
    "Duque",
    "Salazar",
    "Montoya",
    "Betancur",
    "Acevedo",
    "Guzmán",
    "Beltrán",
]
SERIES = [
    "Historias laborales",
    "Contratos de prestación de servicios",
    "Resoluciones",
    "Actas de comité",
    "Derechos de petición",
    "Procesos disciplinarios",
    "Licencias de construcción",
    "Informes de gestión",
    "Comprobantes de egreso",
    "Convenios interadministrativos",
    "Acciones de tutela",
    "Circulares",
    "Planes de acción",
    "Procesos contractuales",
    "Nómina",
    "Peticiones quejas y reclamos",
    "Historias clínicas",
    "Conceptos jurídicos",
    "Inventarios documentales",
    "Correspondencia enviada",
]
DEPENDENCIAS = [
    "Oficina Jurídica",
    "Talento Humano",
    "Secretaría de Hacienda",
    "Secretaría de Planeación",
    "Control Interno",
    "Despacho del Alcalde",
    "Secretaría de Educación",
    "Secretaría de Salud",
    "Gestión Documental",
    "Contratación",
    "Tesorería",
    "Almacén",
    "Secretaría de Gobierno",
    "Oficina de Sistemas",
    "Secretaría de Obras Públicas",
    "Atención al Ciudadano",
]
WORDS = [
    "solicitud",
    "respuesta",
    "anexos",
    "folios",
    "radicado",
    "oficio",
    "memorando",
    "informe",
    "técnico",
    "evaluación",
    "seguimiento",
    "auditoría",
    "hallazgos",
    "plan",
    "mejoramiento",
    "certificado",
    "cédula",
    "ciudadanía",
    "pago",
    "liquidación",
    "prestaciones",
    "sociales",
    "cesantías",
    "vacaciones",
    "incapacidad",
    "licencia",
    "permiso",
    "traslado",
    "nombramiento",
    "posesión",
    "retiro",
    "pensión",
    "reclamación",
    "recurso",
    "reposición",
    "apelación",
    "notificación",
    "demanda",
    "fallo",
    "sentencia",
    "juzgado",
    "tribunal",
    "predio",
    "avalúo",
    "impuesto",
    "predial",
    "industria",
    "comercio",
    "contribuyente",
    "acuerdo",
    "municipal",
    "decreto",
    "circular",
    "proyecto",
    "obra",
    "interventoría",
    "acta",
    "inicio",
    "liquidación",
    "suspensión",
    "prórroga",
    "adición",
    "garantía",
    "póliza",
    "cumplimiento",
    "supervisor",
    "contratista",
    "estudios",
    "previos",
    "propuesta",
    "adjudicación",
    "convocatoria",
    "estampillas",
    "factura",
    "cuenta",
    "cobro",
    "transferencia",
    "documental",
    "eliminación",
    "conservación",
    "digitalización",
    "microfilmación",
    "original",
    "copia",
    "deterioro",
    "biológico",
    "humedad",
    "restauración",
    "consulta",
    "préstamo",
    "devolución",
]
SYLLABLES = [
    "ba",
    "be",
    "bi",
    "bo",
    "bu",
    "ca",
    "co",
    "cu",
    "da",
    "de",
    "di",
    "do",
    "fa",
    "fe",
    "fi",
    "ga",
    "go",
    "la",
    "le",
    "li",
    "lo",
    "ma",
    "me",
    "mi",
    "mo",
    "na",
    "ne",
    "ni",
    "no",
    "pa",
    "pe",
    "pi",
    "po",
    "ra",
    "re",
    "ri",
    "ro",
    "sa",
    "se",
    "si",
    "so",
    "ta",
    "te",
    "ti",
    "to",
    "va",
    "ve",
    "vi",
    "za",
    "zo",
    "lla",
    "cha",
    "que",
    "gui",
    "tra",
    "pla",
    "bri",
]
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


TYPE_AHEAD = [
    "ju",
    "ma",
    "co",
    "re",
    "hi",
    "pe",
    "de",
    "sa",
    "go",
    "lo",  # two letters
    "his",
    "hist",
    "histo",
    "contr",
    "resol",
    "liqu",
    "mart",
    "rodr",
    "gonz",
    "lici",
    "historia",
    "contratos",
    "resoluciones",
    "expediente",
    "prestacion",  # common words
    "historias laborales",
    "hi la",
    "co de",
    "juan pe",
    "maria go",
    "ma lo",
    "contratos de prestacion",
    "juan jose pe",
    "historias laborales ma",
    "re ac co",
    "100-1",
    "110-3-2019",
    "c-000",
    "constitucionalidades",  # codes, long word
    "hist año:2010..2015",
    "ju estado:cerr",
    "co tipo:caja",
    "re dependencia:juridica",
]
SEARCHES = [
    "historia laboral",
    "contratos",
    "resolución",
    "juan",
    "pérez",
    "núñez gómez",
    "juan pérez",
    "maría rodríguez martínez",
    "licencia construcción",
    "acta comité",
    "gonzalez",
    "zúñiga ospina",
    "tutela",
    "interventoria",
    "hitoria",
    "resoluicon",
    "contratos año:2019",
    "dependencia:juridica pension",
    "serie:tutela año:2015..2018",
    "cedula",
    "prestaciones sociales",
    "recurso reposicion apelacion",
]
FACETS = [
    "",
    "historia laboral",
    "juan",
    "año:2019",
    "dependencia:juridica",
    "contratos año:2010..2020",
    "pérez",
    "tipo:caja",
    "etapa:central",
    "licencia",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--updates", type=int, default=1000)
    args = parser.parse_args()

    root = args.dir or Path(tempfile.mkdtemp(prefix="legajo-bench-"))
    lines = [f"Search benchmark: {args.n:,} records, seed {args.seed}, {root}", ""]
    index = WhooshSearchIndex(root)
    build = None
    lines.append(f"- machine: {os.cpu_count()} CPUs, load average before {os.getloadavg()[0]:.1f}")
    if not args.reuse:
        start, cpu = time.perf_counter(), time.process_time()
        report = index.rebuild(make_docs(args.n, args.seed), total=args.n, cursor=0)
        build, cpu = time.perf_counter() - start, time.process_time() - cpu
        rss_build = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        lines += [
            f"- build: {build:.1f} s wall, {cpu:.1f} s CPU ({args.n / build:,.0f} docs/s wall), "
            f"index {report.size_bytes / 2**20:.0f} MiB, peak RSS {rss_build:.0f} MiB",
        ]
    health_ms = timed(index.verify)[0]
    deep_ms = timed(lambda: index.verify(deep=True))[0]
    lines.append(f"- verify: {health_ms:.0f} ms; verify(deep=True): {deep_ms:.0f} ms")
    first_ms = timed(lambda: index.type_ahead("ju"))[0]
    lines.append(f"- first query (opens searcher): {first_ms:.0f} ms")
    lines += ["", "| measure | n | p50 ms | p95 ms | max ms |", "|---|---|---|---|---|"]

    samples: dict[str, list[float]] = {}
    for label, group in (
        ("type-ahead, 2 letters", TYPE_AHEAD[:10]),
        ("type-ahead, 1 word", TYPE_AHEAD[10:25]),
        ("type-ahead, 2-3 words", TYPE_AHEAD[25:35]),
        ("type-ahead, codes/long", TYPE_AHEAD[35:39]),
        ("type-ahead, with filter", TYPE_AHEAD[39:]),
    ):
        samples[label] = [t for q in group for t in timed(lambda q=q: index.type_ahead(q), 5)]
    samples["type-ahead, all"] = [t for k in list(samples) for t in samples[k]]
    samples["search (Enter)"] = [t for q in SEARCHES for t in timed(lambda q=q: index.search(q), 3)]
    samples["facets (warm)"] = []
    cold = timed(lambda: index.facets(""))[0]
    for q in FACETS:
        samples["facets (warm)"] += timed(lambda q=q: index.facets(q), 2)
    for label, values in samples.items():
        lines.append(row(label, values))
    lines.append(f"| facets, first call (builds tables) | 1 | {cold:.1f} | | |")

    rng = random.Random(args.seed + 1)
    rare = ["zzupd" + str(i) for i in range(10)]
    commit_ms: list[float] = []
    visible_ms: list[float] = []
    for i in range(args.updates):
        doc = make_doc(rng, rng.randrange(args.n), rare)
        doc = SearchDoc(
            doc.id, doc.kind, f"Actualizado {i} zzmark{i}", doc.code, doc.body, doc.fields
        )
        commit_ms += timed(lambda doc=doc, i=i: index.update([doc], cursor=i + 1))
        start = time.perf_counter()
        found = index.type_ahead(f"zzmark{i}").hits
        visible_ms.append((time.perf_counter() - start) * 1000)
        assert found and found[0].id == doc.id, (i, found)
    lines.append(row("update 1 record (commit)", commit_ms))
    lines.append(row("visible: first search after commit", visible_ms))
    health = index.verify()
    segments = f"{health.segments} segments, {health.deleted} deleted"
    batch = [make_doc(rng, rng.randrange(args.n), rare) for _ in range(1000)]
    lines.append(row("update 1,000 records (one commit)", timed(lambda: index.update(batch))))
    samples_after = [t for q in TYPE_AHEAD for t in timed(lambda q=q: index.type_ahead(q), 3)]
    lines.append(row("type-ahead after updates", samples_after))
    opt = timed(lambda: index.optimize_step())
    lines.append(f"| optimize_step (after updates) | 1 | {opt[0]:.1f} | | |")
    lines.append("")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines.append(f"- peak RSS overall {rss:.0f} MiB; before the batch: {segments}")
    lines.append(f"- load average after {os.getloadavg()[0]:.1f}")
    index.close()
    print("\n".join(lines))
    if not (args.keep or args.reuse or args.dir):
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
