# shellcheck shell=bash
# Shared setup for scripts/run.sh and scripts/test.sh. Source it, then call `legajo_setup`:
#
#   source scripts/setup.sh && legajo_setup
#
# legajo_setup makes this checkout runnable on Debian 12 / Ubuntu 22.04 or newer:
#   1. checks glibc >= 2.34 (the PySide6 wheel is manylinux_2_34);
#   2. installs the missing system packages with apt (Qt's libraries, libzbar0, fonts, poppler-utils),
#      as root, with sudo when available, or says what to run;
#   3. finds a Python >= 3.11 and creates .venv (installing python3-venv when venv fails);
#   4. installs the project editable with the pinned versions of constraints.txt, skipped when
#      pyproject.toml and constraints.txt did not change since the last install (stamp in .venv);
#   5. compiles the translations (resources/i18n/*.po -> .mo).
# Afterwards LEGAJO_ROOT, LEGAJO_VENV and LEGAJO_PY (the venv's python) are exported.
#
# Knobs (environment): LEGAJO_PYTHON=/path/to/python3.x to pick the interpreter; LEGAJO_SKIP_APT=1
# to skip the apt step (you install the packages yourself); LEGAJO_EXTRAS=dev,build to choose the
# extras installed (default: dev).

LEGAJO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LEGAJO_VENV="$LEGAJO_ROOT/.venv"
export LEGAJO_ROOT LEGAJO_VENV

# Debian/Ubuntu packages the program needs at run time and the tests need.
LEGAJO_APT_QT=(libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0
  libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1)
LEGAJO_APT_OTHER=(libzbar0 fonts-dejavu-core poppler-utils)

_lg_say() { printf '[legajo] %s\n' "$*" >&2; }
_lg_die() { printf '[legajo] ERROR: %s\n' "$*" >&2; exit 1; }

# Is a Debian package installed? Ubuntu 24.04 renamed some libraries with a t64 suffix
# (libglib2.0-0 -> libglib2.0-0t64), so either name counts.
_lg_pkg_installed() {
  local p
  for p in "$1" "${1}t64"; do
    case "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" in
      installed) return 0 ;;
    esac
  done
  return 1
}

# Prints the packages of "$@" that are not installed, space-separated.
legajo_apt_missing() {
  local p missing=()
  for p in "$@"; do _lg_pkg_installed "$p" || missing+=("$p"); done
  printf '%s' "${missing[*]:-}"
}

# Runs "$@" as root: directly, with passwordless sudo, or with sudo asking for the password when
# a terminal is there. Returns 97 when none of these is possible.
_lg_as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  elif command -v sudo >/dev/null 2>&1 && [ -t 0 ]; then
    _lg_say "sudo is needed for: $*"
    sudo "$@"
  else
    return 97
  fi
}

# Installs the given packages with apt (refreshing the package lists first). Dies with the command
# to run by hand when it cannot become root.
legajo_apt_install() {
  [ "$#" -gt 0 ] || return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    _lg_die "apt-get not found: install these packages (or their equivalents) yourself, then run again with LEGAJO_SKIP_APT=1: $*"
  fi
  _lg_say "installing system packages with apt: $*"
  local rc=0
  # apt's output goes to stderr: callers may capture stdout.
  _lg_as_root env DEBIAN_FRONTEND=noninteractive apt-get -qq -o DPkg::Lock::Timeout=300 update >&2 || rc=$?
  if [ "$rc" = 0 ]; then
    _lg_as_root env DEBIAN_FRONTEND=noninteractive apt-get -qq -o DPkg::Lock::Timeout=300 \
      install -y --no-install-recommends "$@" >&2 || rc=$?
  fi
  if [ "$rc" = 97 ]; then
    _lg_die "these system packages are missing and I cannot become root (no sudo): $*
    Ask an administrator to run:
      sudo apt-get update && sudo apt-get install -y --no-install-recommends $*
    then run this command again."
  elif [ "$rc" != 0 ]; then
    _lg_die "apt-get failed (exit $rc) installing: $*"
  fi
}

_lg_check_platform() {
  [ "$(uname -s)" = Linux ] || _lg_die "these scripts are for Linux (Debian 12 / Ubuntu 22.04 or newer); see docs/BUILD.md for Windows."
  local glibc
  glibc="$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')"
  [ -n "$glibc" ] || _lg_die "glibc not found (musl-based system?): PySide6 needs glibc >= 2.34 (Debian 12, Ubuntu 22.04 or newer)."
  if [ "$(printf '%s\n' 2.34 "$glibc" | sort -V | head -n1)" != 2.34 ]; then
    _lg_die "glibc $glibc is too old: the PySide6 wheels need glibc >= 2.34 (Debian 12, Ubuntu 22.04 or newer)."
  fi
}

_lg_system_packages() {
  if [ "${LEGAJO_SKIP_APT:-0}" = 1 ]; then
    _lg_say "LEGAJO_SKIP_APT=1: not checking system packages"
    return 0
  fi
  if ! command -v dpkg-query >/dev/null 2>&1; then
    _lg_say "WARNING: not a Debian/Ubuntu system; make sure these (or equivalents) are installed: ${LEGAJO_APT_QT[*]} ${LEGAJO_APT_OTHER[*]}"
    return 0
  fi
  local missing
  missing="$(legajo_apt_missing "${LEGAJO_APT_QT[@]}" "${LEGAJO_APT_OTHER[@]}")"
  # shellcheck disable=SC2086  # word splitting of the package list is intended
  [ -z "$missing" ] || legajo_apt_install $missing
}

# Prints the version "3.N" of interpreter $1 when it is >= 3.11, else fails.
_lg_py_ok() {
  "$1" -c 'import sys; assert sys.version_info >= (3, 11); print("%d.%d" % sys.version_info[:2])' 2>/dev/null
}

# Finds a Python >= 3.11 (LEGAJO_PYTHON, then python3, python3.13, python3.12, python3.11), installing
# python3.11 with apt on older Ubuntus where the default python3 is 3.10.
_lg_find_python() {
  local c
  if [ -n "${LEGAJO_PYTHON:-}" ]; then
    _lg_py_ok "$LEGAJO_PYTHON" >/dev/null || _lg_die "LEGAJO_PYTHON=$LEGAJO_PYTHON is not a Python >= 3.11"
    printf '%s' "$LEGAJO_PYTHON"
    return 0
  fi
  for c in python3 python3.13 python3.12 python3.11; do
    if command -v "$c" >/dev/null 2>&1 && _lg_py_ok "$c" >/dev/null; then
      command -v "$c"
      return 0
    fi
  done
  if [ "${LEGAJO_SKIP_APT:-0}" != 1 ] && command -v apt-cache >/dev/null 2>&1 \
    && apt-cache policy python3.11 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    legajo_apt_install python3.11 python3.11-venv
    command -v python3.11 && return 0
  fi
  _lg_die "Python >= 3.11 not found (python3 is $(python3 --version 2>&1 || echo missing)).
    Install Python 3.11 or newer (Debian 12: apt-get install python3 python3-venv; Ubuntu 22.04:
    apt-get install python3.11 python3.11-venv), or point LEGAJO_PYTHON at one."
}

_lg_make_venv() {
  if [ -x "$LEGAJO_VENV/bin/python" ] && _lg_py_ok "$LEGAJO_VENV/bin/python" >/dev/null \
    && "$LEGAJO_VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    return 0
  fi
  if [ -e "$LEGAJO_VENV" ]; then
    _lg_say "$LEGAJO_VENV is broken or too old: recreating it"
    rm -rf "$LEGAJO_VENV"
  fi
  local py ver
  py="$(_lg_find_python)" || exit 1
  ver="$(_lg_py_ok "$py")" || exit 1
  _lg_say "creating $LEGAJO_VENV with $py (Python $ver)"
  if ! "$py" -m venv "$LEGAJO_VENV" >/dev/null 2>&1; then
    rm -rf "$LEGAJO_VENV"
    # Debian/Ubuntu ship venv's pip bootstrap separately.
    if [ "${LEGAJO_SKIP_APT:-0}" != 1 ] && command -v apt-get >/dev/null 2>&1; then
      _lg_say "'$py -m venv' failed: installing python3-venv"
      # shellcheck disable=SC2046
      legajo_apt_install $(legajo_apt_missing python3-venv "python$ver-venv")
    fi
    "$py" -m venv "$LEGAJO_VENV" || _lg_die "'$py -m venv $LEGAJO_VENV' failed: install the venv module (Debian/Ubuntu: apt-get install python3-venv python$ver-venv)."
  fi
}

_lg_install_project() {
  local extras="${LEGAJO_EXTRAS:-dev}" stamp="$LEGAJO_VENV/.legajo-install-stamp" want
  want="$( (cd "$LEGAJO_ROOT" && cat pyproject.toml constraints.txt 2>/dev/null; echo "extras=$extras"; "$LEGAJO_PY" -VV) | sha256sum | cut -d' ' -f1)"
  _lg_installed() { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$LEGAJO_VENV/bin/legajo" ]; }
  _lg_installed && return 0
  local cons=()
  [ -f "$LEGAJO_ROOT/constraints.txt" ] && cons=(-c "$LEGAJO_ROOT/constraints.txt")
  (
    # One install at a time per venv (run.sh and test.sh may start together); re-check after waiting.
    command -v flock >/dev/null 2>&1 && flock 9
    _lg_installed && exit 0
    _lg_say "installing Legajo and its dependencies into .venv (pip install ${cons[*]:+-c constraints.txt }-e '.[$extras]')"
    rm -f "$stamp"
    cd "$LEGAJO_ROOT" && "$LEGAJO_PY" -m pip install -q --disable-pip-version-check --progress-bar off \
      "${cons[@]}" -e ".[$extras]" || _lg_die "pip install failed (see above)"
    printf '%s\n' "$want" >"$stamp"
  ) 9>"$LEGAJO_VENV/.legajo-install.lock" || exit 1
}

_lg_compile_translations() {
  [ -f "$LEGAJO_ROOT/scripts/i18n.py" ] || return 0
  (cd "$LEGAJO_ROOT" && "$LEGAJO_PY" scripts/i18n.py compile --quiet) || _lg_die "compiling translations failed"
}

legajo_setup() {
  _lg_check_platform
  _lg_system_packages
  _lg_make_venv
  LEGAJO_PY="$LEGAJO_VENV/bin/python"
  export LEGAJO_PY
  _lg_install_project
  _lg_compile_translations
}
