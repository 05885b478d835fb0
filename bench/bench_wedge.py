"""Keyboard-wedge scan to handled: the application-wide filter and dispatcher, with a plain
QLineEdit's ``returnPressed`` as the same-run baseline.

A scanner types a 13-character Legajo barcode and Enter, a few milliseconds per key. What the
clerk waits for is the time from the last key (Enter) to the view's scan handler being called;
the filter also sees every key of the burst, so the whole burst is timed too. Both run on a real
QApplication (offscreen), with real ``QKeyEvent``s sent through it:

- **Legajo**: ``WedgeFilter`` installed on the application, ``ScanDispatcher`` finding the
  handler above the focused field (a widget with ``handle_scan``), as in the main window; the
  key events carry timestamps 3 ms apart, as a scanner's do.
- **Baseline**: the same keys sent to a plain ``QLineEdit`` without the filter; its
  ``returnPressed`` handler reads the text (what a form without scan support would do).

Usage::

    QT_QPA_PLATFORM=offscreen python bench/bench_wedge.py [--scans 2000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from archive.domain.barcodes import BarcodeKind, format_barcode
from bench.common import machine, summary
from desktop.scan_dispatch import ScanDispatcher
from desktop.wedge_filter import WedgeFilter
from scanners.scan import Scan

GAP_MS = 3


class Handler(QWidget):
    """A view with a scan handler around a field, like every inventory screen."""

    def __init__(self) -> None:
        super().__init__()
        self.field = QLineEdit()
        QVBoxLayout(self).addWidget(self.field)
        self.last: Scan | None = None
        self.at = 0.0

    def handle_scan(self, scan: Scan) -> bool:
        self.at = time.perf_counter()
        self.last = scan
        return True


def send_key(widget: QWidget, char: str, stamp: int) -> None:
    code = Qt.Key.Key_Return if char == "\r" else ord(char.upper())
    press = QKeyEvent(QEvent.Type.KeyPress, code, Qt.KeyboardModifier.NoModifier, char)
    press.setTimestamp(stamp)
    QApplication.sendEvent(widget, press)
    release = QKeyEvent(QEvent.Type.KeyRelease, code, Qt.KeyboardModifier.NoModifier, char)
    release.setTimestamp(stamp)
    QApplication.sendEvent(widget, release)


def burst(widget: QWidget, value: str, start: int) -> tuple[float, float]:
    """Type ``value`` + Enter; (perf_counter at the first key, at the Enter key)."""
    t0 = time.perf_counter()
    for i, char in enumerate(value):
        send_key(widget, char, start + i * GAP_MS)
    t_enter = time.perf_counter()
    send_key(widget, "\r", start + len(value) * GAP_MS)
    return t0, t_enter


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scans", type=int, default=2000)
    args = ap.parse_args()
    app = QApplication.instance() or QApplication([])
    values = [format_barcode(BarcodeKind.CAJA, "A01", i + 1) for i in range(args.scans)]

    # Baseline: a plain field, no filter.
    plain = QLineEdit()
    plain.show()
    plain.setFocus()
    got: list[float] = []
    plain.returnPressed.connect(
        lambda: (got.append(time.perf_counter()), plain.text(), plain.clear())
    )
    base_enter, base_burst = [], []
    for i, value in enumerate(values):
        t0, t_enter = burst(plain, value, 1_000_000 + i * 1000)
        base_enter.append((got[-1] - t_enter) * 1000)
        base_burst.append((got[-1] - t0) * 1000)
    assert len(got) == len(values)
    plain.close()

    # Legajo: the filter on the application, the dispatcher, a handler above the field; measured
    # once the event loop has shown and focused the window.
    view = Handler()
    view.show()
    view.activateWindow()
    view.field.setFocus()
    QTimer.singleShot(
        300, lambda: (measure(args.scans, values, view, base_enter, base_burst), app.quit())
    )
    app.exec()


def measure(
    scans: int, values: list[str], view: Handler, base_enter: list[float], base_burst: list[float]
) -> None:
    app = QApplication.instance()
    dispatcher = ScanDispatcher()
    wedge = WedgeFilter(dispatcher.dispatch)
    wedge.install(app)
    ours_enter, ours_burst = [], []
    for i, value in enumerate(values):
        view.last = None
        t0, t_enter = burst(view.field, value, 5_000_000 + i * 1000)
        if view.last is None or view.last.value != value:
            raise SystemExit(f"scan {value} was not handled (got {view.last})")
        ours_enter.append((view.at - t_enter) * 1000)
        ours_burst.append((view.at - t0) * 1000)
    wedge.uninstall()
    if view.field.text():
        raise SystemExit(f"the scan leaked into the field: {view.field.text()!r}")

    load = os.getloadavg()[0]
    print(
        f"{scans} scans of 13 characters + Enter, {GAP_MS} ms apart (event timestamps); {machine()}, load {load:.1f}\n"
    )
    print(
        "| measure | Legajo (filter + dispatcher) | baseline (plain QLineEdit) | ratio | target |"
    )
    print("|---|---:|---:|---:|---|")
    for name, ours, base in (("Enter key → handler, median ms", ours_enter, base_enter),
                             ("whole burst (14 keys) → handler, median ms", ours_burst, base_burst)):  # fmt: skip
        o, b = summary(ours), summary(base)
        print(f"| {name} | {o['median']:.3f} (p95 {o['p95']:.3f}) | {b['median']:.3f} (p95 {b['p95']:.3f}) "
              f"| {o['median'] / b['median']:.1f}× | ≤ 30 ms |")  # fmt: skip
    view.close()


if __name__ == "__main__":
    main()
