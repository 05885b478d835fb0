"""Data-collector file formats: profiles and row-level parsing.

The parser is pure domain logic, kept in :mod:`archive.domain.collector` so that the import
service can use it (``archive/`` may not import ``scanners/``); this module is its device-side
name.
"""

from archive.domain.collector import (
    BUILTIN_PROFILES,
    DEFAULT_OPERATIONS,
    FIELDS,
    CollectorRecord,
    ParsedFile,
    Profile,
    decode_text,
    parse_collector_file,
    parse_line,
)

__all__ = [
    "BUILTIN_PROFILES",
    "DEFAULT_OPERATIONS",
    "FIELDS",
    "CollectorRecord",
    "ParsedFile",
    "Profile",
    "decode_text",
    "parse_collector_file",
    "parse_line",
]
