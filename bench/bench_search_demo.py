"""Search on the demo database (1,000,000 expedientes by default), through the ``SearchService``
the GUI and the CLI use: the rebuild, then as-you-type, Enter and facets on realistic queries.

    python -m bench.bench_search_demo [--items N] [--no-rebuild] [--repeat 3]

The demo database is built once and cached in bench/out/ (see bench/common.py). The rebuild
figure is wall time, CPU time of this process and its worker processes, and the peak of their
summed resident memory (sampled every 0.1 s from /proc). Baseline in the same run: the SQL path
the service answers with while the index is unusable (``LIKE`` on title and number), on the
same queries.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import threading
import time
from pathlib import Path

from bench.common import demo_services, login

#: What clerks type: names of series and documents, places, people, years, codes.
QUERIES = (
    "auditoria interna", "acta 145", "informe de gestion 1997", "resoluciones 2013",
    "contraloria talento humano", "historia laboral", "contrato de prestacion", "biodeterioro",
    "licencia de construccion", "derecho de peticion", "2010-120", "acta comite 2018",
    "informes", "talento", "gestion contratacion", "nomina 2005", "tutela", "planeacion 2020",
    "auditoria 2022 humano", "correspondencia",
)  # fmt: skip


def _tree_rss_mib(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants (Linux /proc), MiB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            ppid, pages = int(fields[1]), int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
        rss[int(entry.name)] = pages
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, ()))
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def rebuild(sv: object) -> None:
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            peak[0] = max(peak[0], _tree_rss_mib(os.getpid()))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t = time.perf_counter()
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    docs = sv.search.rebuild()  # type: ignore[attr-defined]
    wall = time.perf_counter() - t
    done.set()
    sampler.join()
    own2 = resource.getrusage(resource.RUSAGE_SELF)
    kids2 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (own2.ru_utime + own2.ru_stime - own.ru_utime - own.ru_stime) + (
        kids2.ru_utime + kids2.ru_stime - kids.ru_utime - kids.ru_stime
    )
    health = sv.search.index.verify()  # type: ignore[attr-defined]
    print(f"\n### Rebuild ({docs:,} records, {sv.search.rebuild_workers} workers; load {_load()})\n")  # type: ignore[attr-defined]
    print("| wall | CPU (all processes) | peak RSS (all processes) | segments |")
    print("|---:|---:|---:|---:|")
    print(f"| {wall:.0f} s | {cpu:.0f} s | {peak[0]:,.0f} MiB | {health.segments} |")


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def _row(name: str, samples: list[float], base: list[float] | None = None) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    cells = f"| {name} | {len(ms)} | {statistics.median(ms):.1f} | {p95:.1f} | {ms[-1]:.1f} |"
    if base:
        b = sorted(s * 1000 for s in base)
        cells += f" {statistics.median(b):.1f} / {b[min(len(b) - 1, int(len(b) * 0.95))]:.1f} |"
    else:
        cells += " |"
    return cells


def queries(sv: object, repeat: int) -> None:
    admin = login(sv)
    search = sv.search  # type: ignore[attr-defined]
    search.warm_facets()
    typed: list[float] = []
    enter: list[float] = []
    facets: list[float] = []
    sql: list[float] = []
    for _ in range(repeat):
        for q in QUERIES:
            for end in range(2, len(q) + 1):
                t = time.perf_counter()
                search.search(admin, q[:end], as_you_type=True)
                typed.append(time.perf_counter() - t)
            t = time.perf_counter()
            search.search(admin, q, as_you_type=False)
            enter.append(time.perf_counter() - t)
            t = time.perf_counter()
            search.facets(admin, q)
            facets.append(time.perf_counter() - t)
            t = time.perf_counter()
            search._sql_fallback(admin, q, 20)
            sql.append(time.perf_counter() - t)
    print(f"\n### Queries ({len(QUERIES)} queries × {repeat}; load {_load()})\n")
    print("| what | runs | median ms | p95 ms | max ms | SQL fallback, same queries: median / p95 ms |")
    print("|---|---:|---:|---:|---:|---|")
    print(_row("as-you-type (every prefix as typed)", typed))
    print(_row("Enter", enter, sql))
    print(_row("facets (dependencia, serie, year, stage)", facets))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--no-rebuild", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sv = demo_services(args.items)
    if not args.no_rebuild:
        rebuild(sv)
    queries(sv, args.repeat)
    sv.rt.db.close()


if __name__ == "__main__":
    main()
