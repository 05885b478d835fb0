"""PyInstaller runtime hook (Linux): let pyzbar load the libzbar bundled beside the program.

pyzbar calls ``ctypes.util.find_library("zbar")``, which on Linux asks ldconfig and never looks
inside the bundle; pyinstaller.spec ships ``libzbar.so.0`` at the bundle's top level.
"""

import ctypes.util
import os
import sys

_BUNDLED = os.path.join(getattr(sys, "_MEIPASS", ""), "libzbar.so.0")

if os.path.isfile(_BUNDLED):
    _system_find_library = ctypes.util.find_library

    def _find_library(name: str) -> str | None:
        return _BUNDLED if name == "zbar" else _system_find_library(name)

    ctypes.util.find_library = _find_library
