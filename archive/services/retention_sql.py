"""The SQLite fast path of the retention engine: computed inside SQLite, written in bulk.

At a million expedientes, making Python objects of every row costs more than the whole
computation (measured: 5 s just to fetch 8 columns). Here the rules in force are loaded into a
temporary table keyed by the expediente's classification, and SQLite itself joins, computes the
dates and writes only the rows of ``expediente_due`` whose values change. The date arithmetic is the string arithmetic
of :func:`archive.domain.retention.compute_due_dates_iso` (same rules: whole years, 29 February
→ 28 February in common years, optional 31-December start) written in SQL; a test compares the
two on random data.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select

from archive.db.bulk import drop_indexes, restore_indexes
from archive.db.models import Subserie

#: Years added to an expediente's central retention by elimination observations ("amplíese la
#: retención"): part of the computation, so no recompute can undo them.
EXTENSIONS_SQL = (
    "SELECT expediente_id, sum(extend_years) FROM elimination_observation WHERE action = 'extend' "
    "AND deleted_at IS NULL AND expediente_id IS NOT NULL AND extend_years > 0 GROUP BY expediente_id"
)
_LEAP = "(({y}) % 4 = 0 AND ((({y}) % 100) <> 0 OR ({y}) % 400 = 0))"


def _year_sql(y: str) -> str:
    return f"printf('%04d', {y})"


def _dates_sql(dec31: bool) -> tuple[str, str]:
    """SQL expressions for fin_gestion and fin_central over ``e.closed_on``, ``k.ag``, ``k.ac``
    and ``x.years`` (retention extended by elimination observations).

    The common case (not a 29 February) is one ``printf`` and a concatenation; the leap-day
    arithmetic only runs for closings on 29 February.
    """
    closing = "e.closed_on"
    y1 = f"(CAST(substr({closing}, 1, 4) AS INTEGER) + k.ag)"
    y2 = f"({y1} + k.ac + COALESCE(x.years, 0))"
    if dec31:
        return f"{_year_sql(y1)} || '-12-31'", f"{_year_sql(y2)} || '-12-31'"
    md0 = f"substr({closing}, 5, 6)"
    md1 = f"(CASE WHEN {_LEAP.format(y=y1)} THEN '-02-29' ELSE '-02-28' END)"
    md2 = f"(CASE WHEN {md1} = '-02-29' AND {_LEAP.format(y=y2)} THEN '-02-29' ELSE '-02-28' END)"
    g = f"{_year_sql(y1)} || (CASE WHEN {md0} <> '-02-29' THEN {md0} ELSE {md1} END)"
    c = f"{_year_sql(y2)} || (CASE WHEN {md0} <> '-02-29' THEN {md0} ELSE {md2} END)"
    return g, c


def recompute_sqlite(
    conn: Connection,
    index: dict[tuple[str, str | None], list[tuple[str, str, str, int, int]]],
    *,
    dec31: bool,
    by_closing: bool,
    where: str,
    args: Sequence[str],
) -> tuple[int, int, int]:
    """Recompute on SQLite in the connection's transaction.

    Args:
        conn: The unit of work's connection (SQLite ≥ 3.33 for ``UPDATE … FROM``).
        index: ``(serie_id, subserie_id) → [(valid_from, valid_to, rule_id, ag, ac)]`` as
            :func:`archive.services.retention.rule_index` builds it.
        dec31: Count from 31 December of the closing year.
        by_closing: Pick the version by the closing date (else by the opening date).
        where: Extra condition on ``e`` (qmark placeholders), e.g. ``e.dependencia_id IN (?)``.
        args: Its parameters.

    Returns:
        ``(examined, updated, with_rule)``.
    """
    rows: list[tuple[str, str, str, str, str, int, int]] = []
    series = {s for s, _b in index}
    for (serie_id, sub_id), versions in index.items():
        for v_from, v_to, rule_id, ag, ac in versions:
            rows.append((serie_id, sub_id or "", v_from, v_to, rule_id, ag, ac))
    # A subserie without a rule of its own takes the rule of its serie (serie without subseries).
    for sub_id, serie_id in conn.execute(
        select(Subserie.id, Subserie.serie_id).where(Subserie.serie_id.in_(sorted(series)))
    ):
        if (serie_id, sub_id) not in index:
            for v_from, v_to, rule_id, ag, ac in index.get((serie_id, None), []):
                rows.append((serie_id, sub_id, v_from, v_to, rule_id, ag, ac))
    conn.exec_driver_sql("DROP TABLE IF EXISTS temp.legajo_rule_key")
    conn.exec_driver_sql(
        "CREATE TEMP TABLE legajo_rule_key (s TEXT NOT NULL, b TEXT NOT NULL, vf TEXT NOT NULL, "
        "vt TEXT NOT NULL, rule_id TEXT NOT NULL, ag INTEGER NOT NULL, ac INTEGER NOT NULL)"
    )
    if rows:
        conn.exec_driver_sql("INSERT INTO temp.legajo_rule_key VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    conn.exec_driver_sql("CREATE INDEX temp.ix_legajo_rule_key ON legajo_rule_key (s, b, vf)")
    conn.exec_driver_sql("DROP TABLE IF EXISTS temp.legajo_due_ext")
    conn.exec_driver_sql("CREATE TEMP TABLE legajo_due_ext (eid TEXT PRIMARY KEY, years INTEGER NOT NULL)")
    conn.exec_driver_sql(f"INSERT INTO temp.legajo_due_ext {EXTENSIONS_SQL}")
    ref = ("COALESCE(e.closed_on, e.opened_on)" if by_closing
           else "COALESCE(e.opened_on, e.closed_on)")  # fmt: skip
    g, c = _dates_sql(dec31)
    computed = f"""
        SELECT e.id AS eid, d.trd_rule_id AS r0, d.fin_gestion AS g0, d.fin_central AS c0,
               k.rule_id AS r,
               CASE WHEN k.rule_id IS NULL OR e.closed_on IS NULL THEN NULL ELSE {g} END AS g,
               CASE WHEN k.rule_id IS NULL OR e.closed_on IS NULL THEN NULL ELSE {c} END AS c
        FROM expediente AS e{" NOT INDEXED" if not where else ""}
        LEFT JOIN temp.legajo_rule_key AS k
          ON k.s = e.serie_id AND k.b = COALESCE(e.subserie_id, '')
         AND k.vf <= substr({ref}, 1, 10) AND substr({ref}, 1, 10) <= k.vt
        LEFT JOIN temp.legajo_due_ext AS x ON x.eid = e.id
        LEFT JOIN expediente_due AS d ON d.expediente_id = e.id
        WHERE e.deleted_at IS NULL{where}
    """
    # Phase 1: every examined expediente's values, marked when they differ from the stored ones
    # (appended in scan order: one pass over the expediente table gives every count).
    conn.exec_driver_sql("DROP TABLE IF EXISTS temp.legajo_due_new")
    conn.exec_driver_sql(
        "CREATE TEMP TABLE legajo_due_new (eid TEXT NOT NULL, r TEXT, g TEXT, c TEXT, ch INTEGER NOT NULL)"
    )
    conn.exec_driver_sql(
        f"""INSERT INTO temp.legajo_due_new
            SELECT n.eid, n.r, n.g, n.c, (n.r0 IS NOT n.r OR n.g0 IS NOT n.g OR n.c0 IS NOT n.c)
            FROM ({computed}) AS n""",
        tuple(args),
    )
    total, with_rule, updated = conn.exec_driver_sql(
        "SELECT count(*), count(r), coalesce(sum(ch), 0) FROM temp.legajo_due_new"
    ).one()
    # Phase 2: write the changes. When a large share of the table changes (a first TRD, a new
    # version for most series), the due-date indexes are dropped and rebuilt once, sorted:
    # keeping them up to date row by row costs more from about a third of the table on.
    if updated:
        saved = drop_indexes(conn, ["expediente_due"]) if updated * 3 > total else []
        conn.exec_driver_sql(
            "DELETE FROM expediente_due WHERE expediente_id IN "
            "(SELECT eid FROM temp.legajo_due_new WHERE ch AND r IS NULL)"
        )
        conn.exec_driver_sql(
            """INSERT INTO expediente_due (expediente_id, trd_rule_id, fin_gestion, fin_central)
               SELECT eid, r, g, c FROM temp.legajo_due_new WHERE ch AND r IS NOT NULL
               ON CONFLICT (expediente_id) DO UPDATE SET trd_rule_id = excluded.trd_rule_id,
                  fin_gestion = excluded.fin_gestion, fin_central = excluded.fin_central"""
        )
        restore_indexes(conn, saved)
    conn.exec_driver_sql("DROP TABLE IF EXISTS temp.legajo_due_new")
    conn.exec_driver_sql("DROP TABLE IF EXISTS temp.legajo_rule_key")
    conn.exec_driver_sql("DROP TABLE IF EXISTS temp.legajo_due_ext")
    return total, updated, with_rule
