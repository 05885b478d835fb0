"""Benchmark: parse a 300-subseries TRD (AGN layout XLSX) and the bulk due-date path.

    python bench/bench_trd_import.py [--subseries 300] [--rounds 5]

Budget (DESIGN/brief): the whole TRD import, database included, within 2 s; this measures the
parse alone (read_table + parse_trd_table), so the database layer keeps most of the budget. The
workbook is generated into ``bench/out/`` (git-ignored) with the fixture builder of
``tests/samples/make_trd_fixtures.py``. Also times :func:`compute_due_dates_iso` on one million
expedientes (budget: 10 s for the recompute including the database).
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive.domain.codes import CodeMask  # noqa: E402
from archive.domain.retention import compute_due_dates_iso  # noqa: E402
from archive.io.tabular import read_table  # noqa: E402
from archive.io.trd_import import parse_trd_table  # noqa: E402


def _fixtures_module() -> object:
    spec = importlib.util.spec_from_file_location(
        "make_trd_fixtures", ROOT / "tests" / "samples" / "make_trd_fixtures.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bench_trd(subseries: int, rounds: int) -> None:
    fixtures = _fixtures_module()
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"trd_{subseries}_subseries.xlsx"
    rows = fixtures.big_trd_rows(subseries)  # type: ignore[attr-defined]
    fixtures.build_agn_workbook(path, rows)  # type: ignore[attr-defined]
    mask = CodeMask.from_pattern("dp-s.b")
    times: list[float] = []
    read_times: list[float] = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        table = read_table(path)
        t1 = time.perf_counter()
        trd = parse_trd_table(table, mask=mask)
        t2 = time.perf_counter()
        read_times.append(t1 - t0)
        times.append(t2 - t0)
    count = sum(len(s.subseries) for s in trd.series)
    tipos = sum(len(b.tipos) for s in trd.series for b in s.subseries)
    print(
        f"TRD {path.name}: {len(table.rows)} rows, {len(trd.series)} series, {count} subseries, "
        f"{tipos} tipos, {len(table.merged)} merged ranges"
    )
    print(
        f"  parse (read+parse) median {statistics.median(times) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms (read {statistics.median(read_times) * 1000:.0f} ms); "
        f"budget for the whole import 2000 ms"
    )


def bench_due_dates(n: int) -> None:
    rng = random.Random(7)
    rows = [
        (
            None
            if rng.random() < 0.1
            else f"{rng.randint(1990, 2025):04d}-02-{rng.randint(1, 29):02d}",
            rng.randint(0, 10),
            rng.randint(0, 30),
            rng.random() < 0.5,
        )
        for _ in range(n)
    ]
    t0 = time.perf_counter()
    result = compute_due_dates_iso(rows)
    elapsed = time.perf_counter() - t0
    assert len(result) == n
    print(f"Due dates: {n:,} expedientes in {elapsed * 1000:.0f} ms (budget 10 s incl. database)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subseries", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--expedientes", type=int, default=1_000_000)
    args = parser.parse_args()
    bench_trd(args.subseries, args.rounds)
    bench_due_dates(args.expedientes)


if __name__ == "__main__":
    main()
