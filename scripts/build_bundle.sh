#!/usr/bin/env bash
# Build the one-folder Linux bundle dist/legajo/ from pyinstaller.spec, then smoke-test it:
# `dist/legajo/legajo --version`, and demo data loaded into a temporary data folder (SQLite,
# Alembic migrations, argon2, the CLI). Prints the bundle's size and start time.
#
#   bash scripts/build_bundle.sh
#
# Same machine setup as scripts/run.sh, plus PyInstaller (the `build` extra, pinned by
# constraints.txt). The bundle runs on Linux machines with glibc >= this machine's (build on the
# oldest system you support: Debian 12 / Ubuntu 22.04). See docs/BUILD.md, also for Windows.
set -euo pipefail
# shellcheck source=scripts/setup.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/setup.sh"
legajo_setup
cd "$LEGAJO_ROOT"

if ! "$LEGAJO_PY" -c 'import PyInstaller' 2>/dev/null; then
  _lg_say "installing PyInstaller (the build extra)"
  "$LEGAJO_PY" -m pip install -q --disable-pip-version-check -c constraints.txt pyinstaller
fi

started=$SECONDS
rm -rf dist/legajo build/pyinstaller
"$LEGAJO_PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build pyinstaller.spec
_lg_say "built dist/legajo in $((SECONDS - started)) s"

bundle="$LEGAJO_ROOT/dist/legajo"
"$bundle/legajo" --version

# Every bundled library must find its dependencies inside the bundle, except the display stack
# that a desktop provides (GL/EGL/Vulkan drivers, Wayland client libraries: used only there).
unresolved="$(find "$bundle" -name '*.so*' -type f -print0 \
  | LD_LIBRARY_PATH="$bundle/_internal" xargs -0 -r -n 20 ldd 2>/dev/null | grep 'not found' \
  | grep -vE '^\s*lib(wayland-[a-z]+|GL[A-Za-z]*|EGL|OpenGL|vulkan)\.so' | sort -u || true)"
[ -z "$unresolved" ] || _lg_die "bundled libraries with unresolved dependencies:
$unresolved"

smoke="$(mktemp -d)"
trap 'rm -rf "$smoke"' EXIT
out="$(env -u LEGAJO_PASSWORD "$bundle/legajo" --data-dir "$smoke" demo --items 50 --json)"
password="$(printf '%s' "$out" | "$LEGAJO_PY" -c 'import json, sys; print(json.load(sys.stdin).get("password") or "")')"
if [ -n "$password" ]; then
  LEGAJO_PASSWORD="$password" "$bundle/legajo" --data-dir "$smoke" --user admin audit verify >/dev/null
fi
_lg_say "smoke test passed: demo data loaded and audit chain verified from the bundle"

# Start time: the median of 5 runs of --version (the first run warms the disk cache).
"$bundle/legajo" --version >/dev/null
times=()
for _ in 1 2 3 4 5; do
  t0=$(date +%s%N)
  "$bundle/legajo" --version >/dev/null
  times+=($(( ($(date +%s%N) - t0) / 1000000 )))
done
median="$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)"
_lg_say "bundle: $(du -sh "$bundle" | cut -f1) on disk, $(find "$bundle" -type f | wc -l) files; 'legajo --version' starts in ${median} ms (median of 5: ${times[*]} ms)"
