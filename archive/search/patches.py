"""Two fixes to whoosh-reloaded 2.7.5, installed on import.

**AND NOT returned excluded records.** ``AndNotMatcher._find_first`` only skips its first
match when the excluded side starts at the very same document; when the excluded side starts
earlier it is never advanced, so the first match is returned even if it is excluded
("historia -acta" listed a record with "acta"). The fix lets ``_find_next`` (which advances the
excluded side first) decide, as every later step does.

**Posting block headers.** ``W3LeafMatcher._goto`` reads each posting block's header with ``pickle.load`` on the segment
file, and inside a compound segment every small read the unpickler makes is a Python method
call (22 per block): an intersection that skips through a long posting list spent most of its
time there ("acta 145" at a million records: 8,600 block headers, ~60 % of the query). The
replacement reads the header in one call and unpickles it from memory; it sets exactly the
attributes the original sets. ``tests/unit/test_search_bulk.py`` reads every posting of an
index through it and compares them with what was written.
"""

from __future__ import annotations

import io
import pickle
import struct
from typing import Any

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.binary import AndNotMatcher
from whoosh.util.numeric import byte_to_length

_LENGTH = struct.Struct("!i")
#: Bytes read for a block header: its length (4) and the info tuple (under 40 bytes pickled).
_HEAD = 96
_original_goto = W3LeafMatcher._goto


def _goto(self: Any, position: int) -> None:
    head = self._postfile.get(position, _HEAD)
    stream = io.BytesIO(head)
    stream.seek(_LENGTH.size)
    try:
        info = pickle.load(stream)
    except (EOFError, pickle.UnpicklingError, ValueError):
        _original_goto(self, position)  # not what this expects: Whoosh's own way
        return
    length = _LENGTH.unpack_from(head)[0]
    if length < 0:
        self._lastblock = True
        length = -length
    self._data = self._ids = self._weights = self._values = None
    self._i = 0
    self._nextoffset = position + _LENGTH.size + length
    self._dataoffset = position + stream.tell()
    (self._blocklength, self._maxid, self._maxweight, self._compression, mnlen, mxlen) = info
    self._minlength = byte_to_length(mnlen)
    self._maxlength = byte_to_length(mxlen)


def _find_first(self: Any) -> None:
    if self.a.is_active() and self.b.is_active():
        self._find_next()


def install() -> None:
    """Replace ``W3LeafMatcher._goto`` and ``AndNotMatcher._find_first`` (idempotent)."""
    W3LeafMatcher._goto = _goto
    AndNotMatcher._find_first = _find_first
