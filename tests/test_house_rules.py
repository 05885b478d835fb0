"""scripts/checks.py: the tree keeps the house rules, and each rule can fail."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECKS = ROOT / "scripts" / "checks.py"


def load_checks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("legajo_checks", CHECKS)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


checks = load_checks()


def findings(root: Path) -> list[str]:
    return [str(f) for f in checks.run(root)]


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def test_tree_keeps_the_house_rules() -> None:
    # As CI and scripts/test.sh run it: the script, exit code and all.
    result = subprocess.run(
        [sys.executable, str(CHECKS)], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


# (rule, file, bad source): each case breaks exactly one rule.
BAD = [
    ("process-events", "desktop/view.py", "app.processEvents()\n"),
    ("session-query", "archive/services/units.py", "rows = uow.session.query(Unit).all()\n"),
    ("star-import", "desktop/window.py", "from PySide6.QtWidgets import *\n"),
    ("star-import", "tests/unit/test_x.py", "from archive.domain import *\n"),
    ("bare-noqa", "cli/app.py", "import os  # noqa\n"),
    ("bare-noqa", "scanners/wedge.py", "import os  # NOQA:\n"),
    ("bare-noqa", "reports/fuid.py", "# ruff: noqa\nimport os\n"),
    ("print-in-core", "archive/domain/rules.py", "def f():\n    print('hola')\n"),
    ("module-too-long", "reports/labels.py", "x = 1\n" * 601),
    (
        "naive-datetime",
        "archive/services/loans.py",
        "from datetime import datetime\nt = datetime.now()\n",
    ),
    ("naive-datetime", "desktop/clock.py", "import datetime\nt = datetime.datetime.utcnow()\n"),
    ("naive-datetime", "main.py", "from datetime import datetime\nt = datetime.now(tz=None)\n"),
    (
        "naive-datetime",
        "cli/when.py",
        "from datetime import datetime\nt = datetime.fromtimestamp(0)\n",
    ),
    ("qt-below-desktop", "archive/search/worker.py", "from PySide6.QtCore import QObject\n"),
    ("qt-below-desktop", "reports/fuid.py", "def f():\n    import desktop.app\n"),
    ("qt-below-desktop", "scanners/camera.py", "import shiboken6\n"),
    ("syntax", "archive/broken.py", "def f(:\n"),
]


@pytest.mark.parametrize(("rule", "rel", "source"), BAD, ids=[f"{r}:{p}" for r, p, _ in BAD])
def test_each_rule_can_fail(tmp_path: Path, rule: str, rel: str, source: str) -> None:
    write(tmp_path, rel, source)
    lines = findings(tmp_path)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{rel}:") and f": {rule}: " in lines[0], lines[0]
    assert checks.main(["--root", str(tmp_path)]) == 1


GOOD = {
    "archive/domain/clock.py": """
        from datetime import UTC, datetime, timezone

        def now():
            a = datetime.now(UTC)
            b = datetime.now(tz=timezone.utc)
            c = datetime.fromtimestamp(0, UTC)
            return a, b, c
        """,
    "archive/services/units.py": """
        # ruff: noqa: E501 - long SQL below
        from sqlalchemy import select  # noqa: F401 - re-exported

        def ids(session):
            # Never call session.query( here, nor processEvents() -- comments don't count.
            text = "session.query(x) and processEvents() in a string don't count either"
            return session.execute(select(1)).all(), text
        """,
    "desktop/window.py": """
        from PySide6.QtWidgets import QMainWindow

        class Window(QMainWindow):
            pass
        """,
    "tests/unit/test_print.py": "def test_x():\n    print('tests may print')\n",
    "archive/db/migrations/versions/0001_initial.py": "x = 1\n" * 700,
    "reports/exactly_600.py": "x = 1\n" * 600,
}


def test_clean_tree_passes(tmp_path: Path) -> None:
    for rel, source in GOOD.items():
        write(tmp_path, rel, source)
    assert findings(tmp_path) == []
    assert checks.main(["--root", str(tmp_path)]) == 0
