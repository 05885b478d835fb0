"""Benchmark: TRD import into the database and the retention recompute, with a same-run baseline.

    python bench/bench_retention.py [--items 1000000] [--rounds 3]

On the cached demo database of ``--items`` expedientes (``bench/common.demo_services``):

1. gives every demo dependencia a TRD (built from the demo vocabulary, exported to XLSX in the
   AGN layout and imported through ``TrdService.import_file``: the real path), once;
2. times the whole import of a 300-subseries AGN workbook (parse + validation + rows + catalog +
   recompute of the dependencia's expedientes) with ``dry_run=True`` (everything but the commit,
   so it can be repeated); budget 2 s;
3. times ``RetentionService.recompute`` over all expedientes: *full* from nothing (the due
   dates deleted first: a first TRD on an existing inventory), *full* with every row changing
   (a new version for every series) and *steady* (nothing changed); budget 10 s;
4. baseline in the same run: one bare ``UPDATE expediente_due SET trd_rule_id = …,
   fin_gestion = …, fin_central = …`` of every row (rolled back), the floor any recompute
   writing every row pays.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bench.common import CACHE, demo_services, login, machine  # noqa: E402


def _demo_trds(sv: object, actor: object) -> None:
    from archive.domain.disposition import Disposition
    from archive.domain.retention import Soporte
    from archive.domain.trd_document import TrdDocRow, TrdDocument
    from archive.io.trd_export import export_trd_xlsx
    from archive.services import demo_data as vocab
    from archive.services.trd import TrdApproval

    if sv.trd.versions(actor):  # type: ignore[attr-defined]
        return
    t0 = time.perf_counter()
    for dep in sv.org.list_dependencias():  # type: ignore[attr-defined]
        rows = []
        for i, (code, (name, subs, _titles)) in enumerate(sorted(vocab.SERIES.items())):
            rows.append(TrdDocRow(dep.code, code, "", name, True))
            for sub, sub_name in subs:
                ct = (i + int(sub)) % 3 != 0
                rows.append(TrdDocRow(dep.code, code, sub, sub_name, False, ("Oficio", "Anexos"),
                                      frozenset({Soporte.PAPEL}), 1 + i % 3, 3 + i % 7,
                                      Disposition.CT | Disposition.MD if ct else Disposition.E,
                                      "Conservación total." if ct else "Se elimina por picado."))  # fmt: skip
        doc = TrdDocument("ALCALDÍA DEMO", "", dep.name, dep.code, 1, None, None, rows=tuple(rows))
        path = CACHE / f"trd_demo_{dep.code}.xlsx"
        export_trd_xlsx([doc], path)
        sv.trd.import_file(
            actor, path, TrdApproval(date(1990, 1, 1), approval_act="Resolución demo")
        )  # type: ignore[attr-defined]
    print(
        f"demo TRDs imported (one per dependencia, with recompute) in {time.perf_counter() - t0:.1f} s"
    )


def bench_import(sv: object, actor: object, rounds: int) -> None:
    from archive.services.trd import TrdApproval

    path = CACHE / "trd_300_subseries.xlsx"
    if not path.exists():
        from bench.bench_trd_import import _fixtures_module

        fx = _fixtures_module()
        fx.build_agn_workbook(path, fx.big_trd_rows(300))  # type: ignore[attr-defined]
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        r = sv.trd.import_file(actor, path, TrdApproval(date(2026, 1, 1)), dry_run=True)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - t0)
    print(f"TRD import, 300 subseries ({r.rules} rules, dependencia {r.dependencias[0]}, "
          f"{r.expedientes_updated:,} expedientes recomputed): median {sorted(times)[len(times) // 2] * 1000:.0f} ms, "
          f"max {max(times) * 1000:.0f} ms (budget 2000 ms)")  # fmt: skip


def bench_recompute(sv: object, actor: object, rounds: int) -> None:
    from archive.db.engine import BULK_CACHE_MIB, bulk_page_cache

    db = sv.rt.db  # type: ignore[attr-defined]
    sv.retention.recompute(actor)  # type: ignore[attr-defined]  # start from computed dates
    with db.sessions() as s:
        n = s.scalar(text("SELECT count(*) FROM expediente WHERE deleted_at IS NULL"))
        conn = s.connection()
        with bulk_page_cache(conn):
            t0 = time.perf_counter()
            conn.execute(text("UPDATE expediente_due SET trd_rule_id = trd_rule_id || '', "
                              "fin_gestion = fin_central, fin_central = fin_gestion"))  # fmt: skip
            base = time.perf_counter() - t0
        s.rollback()
    print(f"baseline: bare SQL UPDATE of the 3 columns of every expediente_due row ({n:,} expedientes): "
          f"{base:.2f} s with {BULK_CACHE_MIB} MiB (what recompute uses)")  # fmt: skip
    scenarios = {
        "full, from nothing (a first TRD on an existing inventory)": "DELETE FROM expediente_due",
        "full, every row changes (a new version for every series)":
            "UPDATE expediente_due SET fin_gestion = '1900-01-01', fin_central = '1900-01-01'",
    }  # fmt: skip
    for label, prepare in scenarios.items():
        times = []
        for _ in range(rounds):
            with db.sessions() as s:
                s.execute(text(prepare))
                s.commit()
            t0 = time.perf_counter()
            r = sv.retention.recompute(actor)  # type: ignore[attr-defined]
            times.append(time.perf_counter() - t0)
        print(f"recompute {label} ({r.updated:,} rows written, {r.with_rule:,} with a rule): "
              f"best {min(times):.2f} s, worst {max(times):.2f} s (budget 10 s; {min(times) / base:.1f}× baseline)")  # fmt: skip
    steady = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        r2 = sv.retention.recompute(actor)  # type: ignore[attr-defined]
        steady.append(time.perf_counter() - t0)
    print(f"recompute steady ({r2.updated:,} rows written): best {min(steady):.2f} s, worst {max(steady):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(machine())
    sv = demo_services(args.items)
    actor = login(sv)
    _demo_trds(sv, actor)
    bench_import(sv, actor, args.rounds)
    bench_recompute(sv, actor, args.rounds)


if __name__ == "__main__":
    main()
