#!/usr/bin/env bash
# Two Legajo workstations, one central PostgreSQL — the "done when" of the central-sync issue:
# offline work on both stations, sync, a conflict resolved in the GUI, identical data afterwards.
#
#   bash scripts/demo_two_stations.sh            # everything (the GUI step runs under Xvfb)
#   NO_GUI=1 bash scripts/demo_two_stations.sh   # resolve the conflict with the CLI instead
#   CLEAN=1 bash scripts/demo_two_stations.sh    # also drop the central database at the end
#
# What it does (each step prints a "=== " header):
#   1. creates a throw-away central database on the local PostgreSQL and runs
#      `legajo central init` (with its own least-privilege login role for the stations);
#   2. station A01: demo data (300 expedientes), `sync configure` + `sync register` + first sync;
#   3. station B02: an empty data folder joins (`sync configure`, `sync register --code B02`):
#      it bootstraps everything from the central database;
#   4. the central database becomes unreachable (ALLOW_CONNECTIONS false): both stations keep
#      working offline — a box with the same legacy barcode is registered on both (a conflict),
#      the same box is moved to different shelves on both (no conflict: the later move wins),
#      each registers a box of its own; `sync --once` fails with exit code 1 and nothing is lost;
#   5. the central database is back: A, B, A sync; `sync conflicts` lists the duplicate on both;
#   6. station B's window (the real app: login dialog, main window, Sincronización area) runs
#      under Xvfb as admin: screenshot of both versions side by side, "Tomar B" + reason,
#      "Aplicar decisión", "Sincronizar ahora", screenshot (docs/img/sync-conflict.png,
#      docs/img/sync-resolved.png);
#   7. A and B sync again; `sync status --json` on both, row counts, and a canonical hash of
#      every synced table (tests/integration/sync_helpers.py: travelling columns, no `version`)
#      of station A, station B and the central database: the three must be equal (exit 2 if not);
#      the decision's audit row in the central copy, and `legajo central verify-audit`.
#
# Idempotent-ish: every run drops and recreates the central database and the work folder.
# Needs: .venv (scripts/setup.sh), a PostgreSQL where $PGUSER may create databases (trust or
# PGPASSWORD), and for step 6 xvfb-run plus Qt's xcb libraries (Debian: apt-get install -y xvfb
# libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
# libxcb-render-util0 libxcb-shape0 libxcb-xinerama0).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-postgres}"
export PGHOST PGPORT PGUSER
CENTRAL_DB="${CENTRAL_DB:-legajo_demo_dos_estaciones}"
WORK="${WORK:-${TMPDIR:-/tmp}/legajo-demo-two-stations}"
SHOTS="${SHOTS:-$ROOT/docs/img}"
WS_ROLE=legajo_demo_estacion   # group role (NOLOGIN) and login role of this demo only,
WS_LOGIN=legajo_demo_ws        # so nothing clashes with a real central on the same server

# Headless secrets, as a scheduled job would have them (no OS keyring: the null backend).
export PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring
export LEGAJO_CENTRAL_PASSWORD="${LEGAJO_CENTRAL_PASSWORD:-demo-central}"
export LEGAJO_WORKSTATION_PASSWORD="${LEGAJO_WORKSTATION_PASSWORD:-demo-estacion}"
export LEGAJO_PASSWORD=Archivo2026demo   # the demo users' password (archive/services/demo_data.py)
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"

step() { printf '\n=== %s\n' "$*"; }
legajo() { (cd "$ROOT" && "$PY" main.py "$@"); }
# One station = one data folder and one settings folder.
station() {
  local code=$1; shift
  LEGAJO_CONFIG_DIR="$WORK/config-$code" legajo --data-dir "$WORK/$code" "$@"
}
A() { station A01 "$@"; }
B() { station B02 "$@"; }
psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }
central_online() { psql_admin -c "ALTER DATABASE \"$CENTRAL_DB\" ALLOW_CONNECTIONS $1"; }
# Whatever happens, do not leave the central database refusing connections.
trap 'central_online true 2>/dev/null || true' EXIT
CONNECT=(--host "$PGHOST" --port "$PGPORT" --database "$CENTRAL_DB" --sslmode disable)

step "1. Central database $CENTRAL_DB on $PGHOST:$PGPORT (work folder $WORK)"
rm -rf "$WORK"
mkdir -p "$WORK" "$SHOTS"
psql_admin -c "DROP DATABASE IF EXISTS \"$CENTRAL_DB\" WITH (FORCE)" 2>/dev/null
psql_admin -c "CREATE DATABASE \"$CENTRAL_DB\""
legajo central init "${CONNECT[@]}" --db-user "$PGUSER" \
  --workstation-role "$WS_ROLE" --workstation-login "$WS_LOGIN"

step "2. Station A01: demo data, configure, register (seeds the central database), first sync"
A demo --items 300
A --user admin sync configure "${CONNECT[@]}" --db-user "$WS_LOGIN"
A --user admin sync register
A sync --once

step "3. Station B02: an empty data folder joins and bootstraps"
B sync configure "${CONNECT[@]}" --db-user "$WS_LOGIN"
B sync register --code B02 --name "Ventanilla 2"
B sync --once

step "4. The central database is unreachable: both stations work offline"
central_online false
rc=0; A sync --once || rc=$?
echo "(A: legajo sync --once exited with $rc: offline, nothing lost)"
# The same physical box, labelled long ago with AC-1998-0457, is registered on both stations.
A --user admin units register --type X300 --dependencia 120 --at D01-M01-A-E02-B1 --external-barcode AC-1998-0457
B --user admin units register --type X300 --dependencia 120 --at D01-M01-A-E03-B1 --external-barcode AC-1998-0457
# Each station registers a box of its own (barcodes carry the station code: no clash).
A --user admin units register --type X200 --dependencia 110 --at D01-M01-A-E02-B3
B --user admin units register --type X200 --dependencia 130 --at D01-M01-A-E03-B3
# The same box moved on both: not a conflict, the later move (B's) wins everywhere; both
# movements stay in the box's chain of custody.
A --user admin units move CA0100000001I --to D01-M01-A-E02-B2 --note "Reubicada en A01"
sleep 1
B --user admin units move CA0100000001I --to D01-M01-A-E03-B2 --note "Reubicada en B02"
rc=0; B sync --once || rc=$?
echo "(B: legajo sync --once exited with $rc)"
B sync status

step "5. The central database is back: A, B, A sync"
central_online true
A sync --once
B sync --once
A sync --once
echo "-- conflicts on A01:"; A --user admin sync conflicts
echo "-- conflicts on B02:"; B --user admin sync conflicts

step "6. The conflict resolved in station B02's window"
if [ -n "${NO_GUI:-}" ]; then
  id=$(B --user admin --json sync conflicts | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
  B --user admin sync resolve "$id" --pick right --note "La caja AC-1998-0457 está en el estante de B02"
  B sync --once
else
  # The real application flow (LegajoApp: login dialog → main window), driven like a person:
  # type the user and password, open Sincronización, choose «Tomar B», type the reason,
  # «Aplicar decisión», «Sincronizar ahora». Screenshots with QWidget.grab().
  LEGAJO_CONFIG_DIR="$WORK/config-B02" DEMO_DATA_DIR="$WORK/B02" DEMO_SHOTS="$SHOTS" \
    xvfb-run -a -s "-screen 0 1400x1000x24" "$PY" - <<'PY'
import os
import sys
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from archive.settings import load_settings
from desktop.app import LegajoApp
from desktop.messages import QtMessageSink
from desktop.session import AppContext
from desktop.tasks import TaskRunner
from desktop.theme import apply_theme
from archive.settings import save_settings
from main import build_services

shots = Path(os.environ["DEMO_SHOTS"])
qapp = QApplication(sys.argv[:1])
qapp.setQuitOnLastWindowClosed(False)
apply_theme(qapp)
settings = load_settings()
services = build_services(Path(os.environ["DEMO_DATA_DIR"]))
sink = QtMessageSink()
runner = TaskRunner(sink)
context = AppContext(services, runner, sink, settings, store_settings=save_settings)
app = LegajoApp(qapp, context)


def wait(what, predicate, timeout=30.0):
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise SystemExit(f"GUI: timed out waiting for {what}")
        qapp.processEvents()
        time.sleep(0.02)
    for _ in range(20):  # let the layout settle before a screenshot
        qapp.processEvents()
        time.sleep(0.01)


def say(text):
    print(f"GUI: {text}", flush=True)


app.start()
wait("the login dialog", lambda: app.login is not None and app.login.isVisible())
app.login.username.setText("admin")
app.login.password.setText(os.environ["LEGAJO_PASSWORD"])
app.login.login_button.click()
wait("the main window", lambda: app.window is not None and app.window.isVisible())
window = app.window
window.setGeometry(0, 0, 1400, 960)
say(f"logged in as admin on station {context.workstation}")
view = window.show_area("sync")
wait("the conflicts", lambda: view.table.rowCount() >= 1 and view.panel.conflict is not None)
panel = view.panel
c = panel.conflict
say(f"{view.table.rowCount()} open conflict: {c.kind_label} {c.table} {c.row_label}; "
    f"A={c.left.origin} {dict(c.left.display)} B={c.right.origin} {dict(c.right.display)}")
# The person reads both versions, picks B for every field and says why.
for field, (combo, _value) in panel.decisions.items():
    combo.setCurrentIndex(combo.findData("right"))
panel.note.setText("La caja con el rótulo AC-1998-0457 está físicamente en el estante de B02")
wait("the decision", lambda: True)
window.grab().save(str(shots / "sync-conflict.png"))
say("screenshot sync-conflict.png")
panel.apply_button.click()
wait("the decision to be saved", lambda: view.table.rowCount() == 0)
say("conflict resolved (the notice says it will travel at the next sync)")
for box in list(sink._open):  # the notice «Conflicto resuelto»: Aceptar
    box.accept()
view.sync_button.click()
wait("the sync", lambda: view.current_status is not None and view.current_status.pending_changes == 0
     and view.current_status.last_ok is not None and view.sync_button.isEnabled(), timeout=60)
view.show_resolved.setChecked(True)
wait("the resolved conflict", lambda: view.table.rowCount() == 1 and view.panel.conflict is not None
     and view.panel.conflict.state != "abierto")
window.grab().save(str(shots / "sync-resolved.png"))
say(f"synced from the window: {view.state.text()!r}; screenshot sync-resolved.png")
app.quit()
app.dispose()
runner.shutdown()
services.rt.db.close()
PY
fi

step "7. Both stations sync again; the data must be identical"
A sync --once
B sync --once
for code in A01 B02; do
  echo "-- $code sync status:"
  station "$code" --json sync status
  echo
done
"$PY" - "$WORK/A01/legajo.sqlite3" "$WORK/B02/legajo.sqlite3" \
  "postgresql+psycopg://$WS_LOGIN:$LEGAJO_WORKSTATION_PASSWORD@$PGHOST:$PGPORT/$CENTRAL_DB" <<'PY'
import sys

from tests.integration.sync_helpers import canonical_hash, canonical_rows, diff

a, b, central = (f"sqlite:///{sys.argv[1]}", f"sqlite:///{sys.argv[2]}", sys.argv[3])
rows = {name: canonical_rows(url) for name, url in (("A01", a), ("B02", b), ("central", central))}
print(f"{'table':24} {'A01':>7} {'B02':>7} {'central':>7}")
for table in rows["central"]:
    counts = [len(rows[n][table]) for n in ("A01", "B02", "central")]
    if any(counts):
        print(f"{table:24} {counts[0]:7} {counts[1]:7} {counts[2]:7}")
hashes = {name: canonical_hash(url) for name, url in (("A01", a), ("B02", b), ("central", central))}
for name, h in hashes.items():
    print(f"canonical hash {name:8} {h}")
# The boxes of the story, as each station sees them: barcode, who registered it, where it is.
import sqlite3

for name, path in (("A01", sys.argv[1]), ("B02", sys.argv[2])):
    with sqlite3.connect(path) as db:
        boxes = db.execute("SELECT u.barcode, u.origin, l.path FROM unit u JOIN location l ON l.id = u.location_id"
                           " WHERE u.barcode LIKE 'AC-1998-0457%' OR u.barcode = 'CA0100000001I'"
                           " ORDER BY u.barcode").fetchall()
    print(f"boxes on {name}:", "; ".join(" ".join(b) for b in boxes))
if len(set(hashes.values())) != 1:
    print("DIFFERENT:", *diff(rows["A01"], rows["B02"]), *diff(rows["A01"], rows["central"]), sep="\n  ")
    sys.exit(2)
print("IDENTICAL: station A01, station B02 and the central database hold the same synced data.")
PY

echo "-- the decision in the central copy of the audit trail, and every chain verified:"
psql -X -A -t -d "$CENTRAL_DB" -c "SELECT workstation, action, username, reason FROM audit_log WHERE action = 'sync.conflict.resolve'"
legajo central verify-audit "${CONNECT[@]}" --db-user "$PGUSER"

if [ -n "${CLEAN:-}" ]; then
  psql_admin -c "DROP DATABASE IF EXISTS \"$CENTRAL_DB\" WITH (FORCE)"
  rm -rf "$WORK"
else
  echo "(kept: central database $CENTRAL_DB and $WORK; CLEAN=1 drops them)"
fi
