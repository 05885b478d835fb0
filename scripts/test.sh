#!/usr/bin/env bash
# Run the checks and the test suite: `bash scripts/test.sh [pytest arguments]`.
#
# Sets the machine up like scripts/run.sh (scripts/setup.sh), makes sure a PostgreSQL answers for the
# `pg` tests (the one at LEGAJO_TEST_PG_URL, default postgresql://postgres@127.0.0.1:5432/postgres,
# or a throw-away cluster started here and removed at exit: scripts/pg_test_server.sh), runs the
# house-rule checks (scripts/checks.py), then pytest with the given arguments, e.g.
#   bash scripts/test.sh tests/unit -q
#   bash scripts/test.sh -m pg
#   bash scripts/test.sh -m slow
# Qt runs offscreen: no display or Xvfb is needed. Exit code: pytest's (a run that collected no test
# counts as a failure); 1 when pytest passed but a house rule is broken.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/setup.sh
source "$here/setup.sh"
# shellcheck source=scripts/pg_test_server.sh
source "$here/pg_test_server.sh"

started=$SECONDS
legajo_setup
export QT_QPA_PLATFORM=offscreen
legajo_pg_ensure
cd "$LEGAJO_ROOT"

checks=0
"$LEGAJO_PY" scripts/checks.py || checks=$?
[ "$checks" = 0 ] || _lg_say "house-rule checks failed (above); running the tests anyway"

rc=0
"$LEGAJO_PY" -m pytest "$@" || rc=$?
if [ "$rc" = 5 ]; then
  _lg_say "FAILED: pytest collected no tests (exit 5) — check the paths and -m/-k arguments."
  rc=1
fi
[ "$rc" != 0 ] || rc=$checks
_lg_say "done in $((SECONDS - started)) s, exit $rc"
exit "$rc"
