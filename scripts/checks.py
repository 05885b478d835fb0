"""House rules as quick source checks (run by scripts/test.sh and tests/test_house_rules.py).

Each rule looks at code, not at prose: comments and strings are ignored except by the ``noqa``
rule, which reads comments. Prints ``path:line: rule: message`` per finding, exit 1 if any.

    python scripts/checks.py [--root DIR] [--list]

Rules (see docs/STYLE and DESIGN in the shared folder):

- ``process-events``: no ``processEvents(`` anywhere (re-entrancy bugs; use the task runner).
- ``session-query``: no ``session.query(`` (SQLAlchemy 1.x idiom; use ``select()``).
- ``star-import``: no ``from x import *``.
- ``bare-noqa``: ``# noqa`` must name its codes (``# noqa: E501``).
- ``print-in-core``: the core (``archive/``) never prints; it returns or raises.
- ``module-too-long``: modules in archive/ desktop/ scanners/ reports/ cli/ stay within 600 lines
  (Alembic revision files are exempt: generated, one per schema change).
- ``naive-datetime``: ``datetime.now()`` without a time zone, ``datetime.utcnow()``,
  ``datetime.today()``, ``datetime.utcfromtimestamp()``, ``datetime.fromtimestamp(x)`` without a
  time zone: we store UTC, so write ``datetime.now(UTC)``.
- ``qt-below-desktop``: archive/ scanners/ reports/ import no PySide6, shiboken6 or desktop
  (tests/test_layering.py checks the full import direction).
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import sys
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_LINES = 600
PRODUCT_DIRS = ("archive", "desktop", "scanners", "reports", "cli")
CORE_DIRS = ("archive", "scanners", "reports")
# Everything we scan: product code plus main.py, tests, scripts and benchmarks.
SCAN_DIRS = (*PRODUCT_DIRS, "tests", "scripts", "bench")
SCAN_FILES = ("main.py",)
SKIP_PARTS = {".venv", "venv", "build", "dist", "__pycache__", ".git", "node_modules"}
LENGTH_EXEMPT = ("archive/db/migrations/versions/",)

RULES = {
    "process-events": "processEvents() is re-entrant: run the work on the task runner instead",
    "session-query": "session.query() is SQLAlchemy 1.x: use session.execute(select(...))",
    "star-import": "star import: import the names you use",
    "bare-noqa": "bare '# noqa': name the codes, e.g. '# noqa: E501'",
    "print-in-core": "the core never prints: return the data or raise",
    "module-too-long": f"module over {MAX_LINES} lines: split it by feature",
    "naive-datetime": "naive datetime: we store UTC, use datetime.now(UTC)",
    "qt-below-desktop": "Qt/GUI import below desktop/",
    "syntax": "file does not parse",
}

_PROCESS_EVENTS = re.compile(r"\bprocessEvents\s*\(")
_SESSION_QUERY = re.compile(r"session\.query\s*\(")
_NOQA = re.compile(r"#\s*(?:(?:ruff|flake8)\s*:\s*)?noqa\b(?P<rest>.*)", re.IGNORECASE)
_NOQA_CODES = re.compile(r"\s*:\s*[A-Z]+[0-9]+")
_FORBIDDEN_BELOW_DESKTOP = ("PySide6", "shiboken6", "desktop")


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    rule: str
    detail: str = ""

    def __str__(self) -> str:
        text = RULES[self.rule] + (f" ({self.detail})" if self.detail else "")
        return f"{self.path}:{self.line}: {self.rule}: {text}"


def python_files(root: Path) -> Iterator[Path]:
    for name in SCAN_FILES:
        if (root / name).is_file():
            yield root / name
    for folder in SCAN_DIRS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.py")):
            if not SKIP_PARTS.intersection(path.relative_to(root).parts):
                yield path


def _code_and_comments(source: str) -> tuple[list[str], list[tuple[int, str]]]:
    """Source lines with strings and comments blanked out, and the comments with their lines."""
    lines = source.splitlines()
    code = list(lines)
    comments: list[tuple[int, str]] = []
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    for tok in tokens:
        if tok.type == tokenize.COMMENT:
            comments.append((tok.start[0], tok.string))
        if tok.type in (tokenize.COMMENT, tokenize.STRING) or tok.type == getattr(
            tokenize, "FSTRING_MIDDLE", -1
        ):
            (r0, c0), (r1, c1) = tok.start, tok.end
            for row in range(r0, r1 + 1):
                text = code[row - 1]
                start = c0 if row == r0 else 0
                end = c1 if row == r1 else len(text)
                code[row - 1] = text[:start] + " " * (end - start) + text[end:]
    return code, comments


def _imported_modules(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return [node.module] if node.level == 0 and node.module else []


def _is_datetime_class(node: ast.expr) -> bool:
    """``datetime`` or ``datetime.datetime`` (the class, as usually imported)."""
    if isinstance(node, ast.Name):
        return node.id == "datetime"
    return isinstance(node, ast.Attribute) and node.attr == "datetime"


def _has_tz(call: ast.Call, position: int) -> bool:
    """Whether ``call`` passes a time zone (positionally at ``position`` or as ``tz=``)."""
    for kw in call.keywords:
        if kw.arg == "tz" or kw.arg is None:  # **kwargs: give it the benefit of the doubt
            return not (isinstance(kw.value, ast.Constant) and kw.value.value is None)
    if len(call.args) > position:
        arg = call.args[position]
        return not (isinstance(arg, ast.Constant) and arg.value is None)
    return False


def _naive_datetime(call: ast.Call) -> str | None:
    func = call.func
    if not isinstance(func, ast.Attribute) or not _is_datetime_class(func.value):
        return None
    name = func.attr
    if name in ("utcnow", "today", "utcfromtimestamp"):
        return f"datetime.{name}()"
    if name == "now" and not _has_tz(call, 0):
        return "datetime.now() without tz"
    if name == "fromtimestamp" and not _has_tz(call, 1):
        return "datetime.fromtimestamp() without tz"
    return None


def check_file(path: Path, root: Path) -> list[Finding]:
    rel = path.relative_to(root).as_posix()
    top = rel.split("/", 1)[0] if "/" in rel else ""
    source = path.read_text(encoding="utf-8")
    found: list[Finding] = []

    def add(line: int, rule: str, detail: str = "") -> None:
        found.append(Finding(rel, line, rule, detail))

    try:
        tree = ast.parse(source, filename=rel)
        # Tokenizing is the slow part: only when a text rule could match at all.
        if "processEvents" in source or ".query" in source or "noqa" in source.lower():
            code, comments = _code_and_comments(source)
        else:
            code, comments = [], []
    except (SyntaxError, tokenize.TokenError, ValueError) as exc:
        add(getattr(exc, "lineno", None) or 1, "syntax", str(exc))
        return found

    for number, text in enumerate(code, start=1):
        if _PROCESS_EVENTS.search(text):
            add(number, "process-events")
        if _SESSION_QUERY.search(text):
            add(number, "session-query")
    for number, comment in comments:
        match = _NOQA.search(comment)
        if match and not _NOQA_CODES.match(match.group("rest")):
            add(number, "bare-noqa")

    product = top in PRODUCT_DIRS or rel in SCAN_FILES
    core = top in CORE_DIRS
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if top == "archive" and isinstance(node.func, ast.Name) and node.func.id == "print":
                add(node.lineno, "print-in-core")
            if product and (what := _naive_datetime(node)):
                add(node.lineno, "naive-datetime", what)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
                add(
                    node.lineno,
                    "star-import",
                    f"from {'.' * node.level}{node.module or ''} import *",
                )
            if core:
                for module in _imported_modules(node):
                    if module.split(".")[0] in _FORBIDDEN_BELOW_DESKTOP:
                        add(node.lineno, "qt-below-desktop", f"{top}/ imports {module}")

    if top in PRODUCT_DIRS and not rel.startswith(LENGTH_EXEMPT):
        count = len(source.splitlines())
        if count > MAX_LINES:
            add(count, "module-too-long", f"{count} lines")
    return found


def run(root: Path) -> list[Finding]:
    findings: list[Finding] = []
    for path in python_files(root):
        findings.extend(check_file(path, root))
    return sorted(findings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--list", action="store_true", help="list the rules and exit")
    args = parser.parse_args(argv)
    if args.list:
        for rule, text in RULES.items():
            print(f"{rule}: {text}")
        return 0
    findings = run(args.root.resolve())
    for finding in findings:
        print(finding)
    if findings:
        print(f"checks: {len(findings)} house-rule finding(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
