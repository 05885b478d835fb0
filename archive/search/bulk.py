"""A Whoosh writer for rebuilds: the same segment files, a fraction of the Python per posting.

Whoosh's ``SegmentWriter`` handles every posting several times in Python: a tuple into the
posting pool, a sort (spilled to disk beyond ``limitmb``), a heap merge of the runs, then one
``add_posting`` call each while writing; at ~80 postings per record that is ~600 µs of CPU per
record (measured at 50,000 records), 80 % of a rebuild. :class:`BulkSegmentWriter` keeps each
field's postings in memory as ``term -> array('I')`` of document numbers (with the frequency
interleaved for frequency fields), already in document order, and writes each term's posting
blocks at commit with one ``pickle``/``zlib`` call per block, in exactly the W3 format Whoosh
writes: readers cannot tell the difference (``tests/unit/test_search_bulk.py`` compares every
term, posting, length and stored value with what ``SegmentWriter`` writes).

It relies on internals of whoosh-reloaded 2.7.5 (the W3 codec's block layout and writers), which
is why the version is pinned and the equivalence test exists. It holds the postings of one
segment in memory (about 0.4 KB per record): write large sources in several segments (see
``maintenance.SEGMENT_DOCS``). Only for adding documents to a new segment: no deletions, no
updates, no field boosts.
"""

from __future__ import annotations

import struct
import zlib
from array import array
from collections import Counter
from itertools import pairwise
from pickle import dumps
from typing import Any

from whoosh import formats
from whoosh.analysis.tokenizers import IDTokenizer
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3TermInfo,
    _lenfield,
)
from whoosh.fields import UnknownFieldError
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

#: Postings per block (the W3 codec's ``blocklimit``) and its zlib level (``compression``).
BLOCK = 128
COMPRESSION = 3
#: Blocks whose pickle is shorter are stored uncompressed (the block header says so, and
#: readers honour it): zlib gains nothing on a few bytes and costs ~9 µs a call.
COMPRESS_FROM = 96
_LENGTH_BYTES = bytes(length_to_byte(n) for n in range(256))

# How a field's terms are counted.
_ID = 0  # the whole value is the one term (ID fields)
_EXISTENCE = 1  # each distinct term once, weight 1
_FREQUENCY = 2  # each distinct term with its count as weight and value


def _plan(field: Any) -> int | None:
    if not field.indexed:
        return None
    fmt = field.format
    if getattr(fmt, "field_boost", 1.0) != 1.0:
        raise ValueError(f"field boosts are not supported: {field!r}")
    if type(fmt) is formats.Existence:
        return _ID if type(field.analyzer) is IDTokenizer else _EXISTENCE
    if type(fmt) is formats.Frequency:
        return _FREQUENCY
    raise ValueError(f"unsupported posting format {type(fmt).__name__} of {field!r}")


class BulkSegmentWriter(SegmentWriter):  # type: ignore[misc]
    """A ``SegmentWriter`` whose :meth:`add_document` and commit write postings in bulk.

    Accepts what ``SegmentWriter.add_document`` accepts for the field types of our schema:
    ``ID`` fields take a string; other indexed fields take a list of ready-made terms (any
    other value goes through the field's analyzer); ``_stored_<name>`` overrides a stored
    value. Commit with ``merge=False`` (merging would bypass the bulk path for old segments).
    """

    docnum: int

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        schema = self.schema
        self._plans = {name: _plan(schema[name]) for name in schema.names()}
        self._stored_names = {name for name in schema.names() if schema[name].stored}
        self._postings: dict[str, dict[str, array[int]]] = {}
        self._lengths: dict[str, bytearray] = {}
        self._totals: dict[str, int] = {}
        self._stored_column = self.perdocwriter._get_column("_stored")

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        docnum = self.docnum
        plans = self._plans
        stored: dict[str, Any] = {}
        for name in sorted(fields):
            if name[0] == "_":
                continue
            value = fields[name]
            if value is None:
                continue
            if name not in plans:
                raise UnknownFieldError(f"No field named {name!r} in {self.schema}")
            plan = plans[name]
            if plan is not None:
                self._index(name, plan, value, docnum)
            if name in self._stored_names:
                stored[name] = fields.get("_stored_" + name, value)
        if stored:
            self._stored_column.add(docnum, stored)
        self._added = True
        self.docnum = docnum + 1

    def _index(self, name: str, plan: int, value: Any, docnum: int) -> None:
        postings = self._postings.get(name)
        if postings is None:
            postings = self._postings[name] = {}
        if plan == _ID and type(value) is str:
            terms: Any = (value,)
        elif type(value) is list or type(value) is tuple:
            terms = Counter(value) if plan == _FREQUENCY else set(value)
        else:  # a value for the field's own analyzer
            terms = Counter()
            for tbytes, freq, _weight, _vbytes in self.schema[name].index(value):
                terms[tbytes.decode("utf-8")] += freq
            if plan != _FREQUENCY:
                terms = set(terms)
        if plan == _FREQUENCY:
            length = 0
            for term, freq in terms.items():
                docs = postings.get(term)
                if docs is None:
                    docs = postings[term] = array("I")
                docs.append(docnum)
                docs.append(freq)
                length += freq
        else:
            for term in terms:
                docs = postings.get(term)
                if docs is None:
                    docs = postings[term] = array("I")
                docs.append(docnum)
            length = len(terms)
        if length:
            lengths = self._lengths.get(name)
            if lengths is None:
                lengths = self._lengths[name] = bytearray()
            if len(lengths) < docnum:
                lengths.extend(bytes(docnum - len(lengths)))
            lengths.append(_LENGTH_BYTES[length] if length < 256 else length_to_byte(length))
            self._totals[name] = self._totals.get(name, 0) + length

    def add_reader(self, reader: Any) -> None:
        raise NotImplementedError("BulkSegmentWriter only adds new documents")

    def _flush_segment(self) -> None:
        pdw = self.perdocwriter
        pdw._doccount = self.docnum
        for name, lengths in self._lengths.items():
            data = bytes(lengths).rstrip(b"\0")
            if data:  # what NumericColumn.Writer leaves: no trailing defaults
                pdw._create_column(_lenfield(name), LENGTHS_COLUMN)
                column = pdw._get_column(_lenfield(name))
                column._dbfile.write(data)
                column._count = len(data)
        for name, total in self._totals.items():
            pdw._fieldlengths[name] += total
        pdw.close()
        fieldwriter = self.fieldwriter
        for name in sorted(self._postings):
            postings = self._postings.pop(name)
            if not postings:
                continue
            fieldwriter.start_field(name, self.schema[name])
            field_id = pack_ushort(fieldwriter._fieldid)
            with_freq = self._plans[name] == _FREQUENCY
            postfile = fieldwriter._postfile
            add_term = fieldwriter._tindex.add
            for term in sorted(postings):
                info = _write_postings(postfile, postings[term], with_freq)
                add_term(field_id + term.encode("utf-8"), info)
            fieldwriter.finish_field()
        fieldwriter.close()


_TERMINFO = W3TermInfo._struct
_PACK_FREQS = {n: struct.Struct(f"!{n}I").pack for n in range(1, BLOCK + 1)}


def _write_postings(postfile: Any, docs: array[int], with_freq: bool) -> bytes:
    """Write one term's posting blocks as ``W3PostingsWriter`` does; return its term info."""
    if with_freq:
        freqs = docs[1::2]
        docs = docs[0::2]
    start = postfile.tell()
    postfile.write(WHOOSH3_HEADER_MAGIC)
    count = len(docs)
    total_weight = 0.0
    max_weight = 0.0
    last = 0
    for begin in range(0, count, BLOCK):
        ids = docs[begin : begin + BLOCK]
        deltas = [ids[0]]  # each block restarts from 0 (whoosh.util.numlists.delta_encode)
        deltas.extend(b - a for a, b in pairwise(ids))
        last = ids[-1]
        if with_freq:
            block_freqs = freqs[begin : begin + BLOCK]
            top = max(block_freqs)
            if top == 1:
                weights: Any = None
            elif min(block_freqs) == top:
                weights = float(top)
            else:
                weights = tuple(map(float, block_freqs))
            values = _PACK_FREQS[len(block_freqs)](*block_freqs)
            block_weight = float(top)
            total_weight += sum(block_freqs)
        else:
            weights = values = None
            block_weight = 1.0
            total_weight += len(ids)
        max_weight = max(max_weight, block_weight)
        data = dumps((tuple(deltas), weights, values), 2)
        level = COMPRESSION if len(data) >= COMPRESS_FROM else 0
        if level:
            data = zlib.compress(data, level)
        info = dumps((len(ids), last, block_weight, level, 0, 0), 2)
        size = len(info) + len(data)
        postfile.write_int(-size if begin + BLOCK >= count else size)
        postfile.write(info)
        postfile.write(data)
    extent: bytes = pack_long(start) + pack_int(postfile.tell() - start)
    terminfo: bytes = _TERMINFO.pack(0, total_weight, count, 0, 0, max_weight, docs[0], last)
    return terminfo + extent
