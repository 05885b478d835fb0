#!/usr/bin/env bash
# Run Legajo from this checkout: `bash scripts/run.sh [legajo arguments]`.
# Sets the machine up first (system packages, .venv, dependencies, translations: scripts/setup.sh),
# then runs the `legajo` console script with the given arguments. No arguments starts the GUI;
# `bash scripts/run.sh demo --items 1000`, `bash scripts/run.sh --version` and every other
# subcommand work the same way.
set -euo pipefail
# shellcheck source=scripts/setup.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/setup.sh"
legajo_setup

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}${QT_QPA_PLATFORM:-}" ]; then
  exec "$LEGAJO_VENV/bin/legajo" "$@"
fi
# No display: the subcommands work, the window cannot open. Qt aborts (134) in that case: explain.
rc=0
"$LEGAJO_VENV/bin/legajo" "$@" || rc=$?
if [ "$rc" = 134 ]; then
  printf '[legajo] no display (DISPLAY and WAYLAND_DISPLAY are unset): the window needs a desktop session.\n' >&2
  printf '[legajo] On a server: `xvfb-run bash scripts/run.sh`, or the command line: `bash scripts/run.sh --help`.\n' >&2
fi
exit "$rc"
