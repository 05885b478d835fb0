"""The import direction of DESIGN.md §1, made executable.

Every module's imports are read with ``ast`` (function-level and ``TYPE_CHECKING`` imports
included; relative imports resolved against the module's package):

- ``archive/`` imports nothing of ours but ``archive``, and no Qt, ReportLab, OpenCV or barcode
  engines (the core is plain Python + SQLAlchemy);
- ``scanners/`` and ``reports/`` import of ours only ``archive.domain`` and ``archive.i18n``, plus
  themselves (each its own package);
- nothing under archive/ scanners/ reports/ imports PySide6 or shiboken6;
- ``desktop/`` never imports ``cli``; ``cli/`` never imports ``desktop``. ``main.py`` (the
  composition root) may import everything.

``resources`` is a data package (read with importlib.resources), open to every layer.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"archive", "desktop", "scanners", "reports", "cli", "main", "resources", "tests", "bench"}
LAYERS = ("archive", "scanners", "reports", "desktop", "cli")
QT = {"PySide6", "shiboken6"}
NOT_IN_CORE = QT | {"reportlab", "cv2", "pyzbar", "zxingcpp"}
DOMAIN_ONLY = ("archive.domain", "archive.i18n")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for every import in the file at ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                prefix = ".".join(base)
                module = ".".join(p for p in (prefix, node.module) if p)
            else:
                module = node.module or ""
            yield node.lineno, module
            # `from archive import db` imports archive.db: check the names too.
            for alias in node.names:
                if alias.name != "*":
                    yield node.lineno, f"{module}.{alias.name}"


def _within(module: str, prefixes: tuple[str, ...] | set[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def problem(layer: str, module: str) -> str | None:
    """Why ``layer`` may not import ``module``, or None when it may."""
    top = module.split(".")[0]
    forbidden = {"archive": NOT_IN_CORE, "scanners": QT, "reports": QT}.get(layer, set())
    if top in forbidden:
        return f"{layer}/ must not import {top}"
    if top not in OURS or top == "resources":
        return None
    if layer == "archive" and top != "archive":
        return "archive/ imports nothing of ours but archive"
    # `from archive import domain` yields both "archive" and "archive.domain": the bare package
    # passes, its names are checked one by one.
    if (
        layer in ("scanners", "reports")
        and top != layer
        and module != "archive"
        and not _within(module, DOMAIN_ONLY)
    ):
        return f"{layer}/ imports only archive.domain and archive.i18n of ours"
    if layer == "desktop" and top == "cli":
        return "desktop/ never imports cli"
    if layer == "cli" and top == "desktop":
        return "cli/ never imports desktop"
    return None


def violations(root: Path) -> list[str]:
    found: list[str] = []
    for layer in LAYERS:
        base = root / layer
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            for line, module in imports_of(path, root):
                if why := problem(layer, module):
                    found.append(f"{rel}:{line}: imports {module}: {why}")
    return sorted(set(found))


def test_our_import_direction() -> None:
    assert violations(ROOT) == []


def test_the_check_sees_every_layer() -> None:
    # Guard against a walk that silently finds nothing (a renamed folder, a wrong root).
    assert list((ROOT / "archive").rglob("*.py"))


# Synthetic trees: each rule can fail.
def make(root: Path, files: dict[str, str]) -> Path:
    for rel, source in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        for parent in path.relative_to(root).parents:
            init = root / parent / "__init__.py"
            if parent != Path(".") and not init.exists():
                init.write_text("", encoding="utf-8")
    return root


BAD = {
    "archive-imports-desktop": ("archive/services/units.py", "import desktop.app\n", "desktop.app"),
    "archive-imports-scanners": ("archive/io/csv.py", "from scanners import scan\n", "scanners"),
    "archive-imports-qt": ("archive/search/worker.py", "from PySide6 import QtCore\n", "PySide6"),
    "archive-imports-reportlab": ("archive/services/fuid.py", "import reportlab\n", "reportlab"),
    "archive-function-level": (
        "archive/services/labels.py",
        "def f():\n    from reports.labels import render\n",
        "reports.labels",
    ),
    "scanners-imports-services": (
        "scanners/wedge.py",
        "from archive.services import inventory\n",
        "archive.services",
    ),
    "scanners-imports-db-by-name": ("scanners/image.py", "from archive import db\n", "archive.db"),
    "reports-imports-scanners": ("reports/labels.py", "import scanners.scan\n", "scanners.scan"),
    "reports-imports-qt": ("reports/fuid.py", "import shiboken6\n", "shiboken6"),
    "desktop-imports-cli": ("desktop/app.py", "from cli import commands\n", "cli"),
    "cli-imports-desktop": (
        "cli/commands.py",
        "import typing\nif typing.TYPE_CHECKING:\n    from desktop.app import App\n",
        "desktop.app",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_each_rule_can_fail(tmp_path: Path, case: str) -> None:
    rel, source, module = BAD[case]
    make(tmp_path, {rel: source})
    found = violations(tmp_path)
    assert found, f"{case}: no violation reported"
    assert all(f.startswith(f"{rel}:") for f in found), found
    assert any(f"imports {module}" in f for f in found), found


def test_allowed_imports_pass(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "archive/services/units.py": """
                from archive.db import uow
                from archive.domain.errors import LegajoError
                from . import audit
                from .audit import record
                import sqlalchemy
                import openpyxl
                """,
            "archive/services/audit.py": "def record(): ...\n",
            "archive/services/sub/deep.py": "from ...db import uow\nfrom .. import audit\n",
            "archive/db/uow.py": "",
            "scanners/image.py": """
                from archive.domain.ids import new_id
                from archive.i18n import _
                from archive import domain
                from scanners.scan import Scan
                from .scan import Scan as S
                def decode():
                    import cv2
                    import pyzbar.pyzbar
                """,
            "scanners/scan.py": "class Scan: ...\n",
            "reports/labels.py": "from archive.domain import ids\nimport reportlab\nfrom reports import fonts\n",
            "desktop/app.py": """
                from PySide6.QtWidgets import QApplication
                from archive.services import units
                from scanners.image import decode
                from reports.labels import render
                from importlib import resources
                import resources as res
                """,
            "cli/commands.py": "from archive.services import units\nfrom reports import labels\n",
            "main.py": "import cli.commands\nimport desktop.app\n",
        },
    )
    assert violations(tmp_path) == []
