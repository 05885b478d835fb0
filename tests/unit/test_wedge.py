"""The pure keyboard-wedge decoder (and the Scan value object), driven by synthetic timings.

``Field`` plays the event filter and a focused line edit: it applies every decision in the
documented order and checks the decoder's accounting (what it retracts was let through and starts
the scan; what it releases is exactly what it held; nothing is lost or duplicated).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.domain.errors import ValidationError
from scanners.scan import SOURCES, UNKNOWN_SYMBOLOGY, Scan
from scanners.wedge import Decision, WedgeConfig, WedgeDecoder

CODE = "F0A100000042W"


class Field:
    def __init__(self, config: WedgeConfig | None = None, text: str = "") -> None:
        self.decoder = WedgeDecoder(config)
        self.config = self.decoder.config
        self.text = text
        self.scans: list[str] = []
        self.held: list[str] = []
        self.fed: list[str] = []
        self.swallowed = 0
        self.terminators = 0

    def key(self, char: str, t: int, *, autorepeat: bool = False) -> Decision:
        self.fed.append(char)
        decision = self.decoder.feed(char, t, autorepeat=autorepeat)
        self._apply(decision)
        if decision.swallow:
            self.swallowed += 1
            if char in self.config.suffix:  # terminators are consumed, everything else held
                self.terminators += 1
            else:
                self.held.append(char)
        else:
            self.text += char
        return decision

    def flush(self, t: int) -> Decision:
        decision = self.decoder.flush(t)
        assert not decision.swallow
        self._apply(decision)
        return decision

    def _apply(self, d: Decision) -> None:
        assert d.retract >= 0
        assert not (d.release and d.scan is not None)
        if d.scan is not None:
            whole = self.config.prefix + d.scan
            retracted = self.text[len(self.text) - d.retract :] if d.retract else ""
            assert retracted == whole[: d.retract]
            assert "".join(self.held) == whole[d.retract :]
            self.text = self.text[: len(self.text) - d.retract]
            self.held.clear()
            self.scans.append(d.scan)
        else:
            assert d.retract == 0
        if d.release:
            assert "".join(self.held) == d.release
            self.held.clear()
            self.text += d.release

    def type(self, text: str, t: int, gaps: Iterable[int] | int) -> int:
        """Type ``text`` from ``t`` with these gaps between keys (or one fixed gap); last time."""
        gap_iter = itertools.repeat(gaps) if isinstance(gaps, int) else iter(gaps)
        for i, char in enumerate(text):
            if i:
                t += next(gap_iter)
            self.key(char, t)
        return t

    def settle(self, t: int) -> None:
        self.flush(t + 10_000)
        assert self.held == []
        assert self.decoder.deadline_ms is None


def scanner_gaps(n: int, seed: int = 1) -> list[int]:
    rng = random.Random(seed)
    return [rng.randint(2, 8) for _ in range(n)]


def human_gaps(n: int, seed: int = 2) -> list[int]:
    rng = random.Random(seed)
    return [rng.randint(61, 350) for _ in range(n)]


def is_subsequence(small: str, big: str) -> bool:
    it = iter(big)
    return all(c in it for c in small)


# --- scenarios ----------------------------------------------------------------------------------


def test_real_speed_scan() -> None:
    field = Field()
    decisions = [
        field.key(c, t)
        for c, t in zip(CODE + "\r", [0, *_cumulative(scanner_gaps(13))], strict=True)
    ]
    assert not decisions[0].swallow  # the first key cannot be known yet
    assert all(d.swallow for d in decisions[1:])
    assert decisions[-1] == Decision(swallow=True, retract=1, scan=CODE)
    assert field.scans == [CODE] and field.text == ""
    assert Scan.from_raw(field.scans[0], "wedge").value == CODE


def test_slow_human_typing_same_string_is_never_a_scan() -> None:
    field = Field()
    t = field.type(CODE + "\r", 1000, human_gaps(13))
    field.settle(t)
    assert field.scans == [] and field.swallowed == 0
    assert field.text == CODE + "\r"


def test_human_typing_then_scan_in_same_field() -> None:
    field = Field()
    t = field.type("Acta de ", 0, human_gaps(7))
    t = field.type(CODE + "\r", t + 900, scanner_gaps(13))
    t = field.type("ok", t + 700, human_gaps(1))
    field.settle(t)
    assert field.scans == [CODE]
    assert field.text == "Acta de ok"


def test_fast_human_pair_is_released_in_order() -> None:
    field = Field()
    field.key("t", 0)
    assert field.key("h", 18).swallow  # rollover: held for now
    assert field.decoder.deadline_ms == 18 + 30 + 1
    decision = field.key("e", 120)
    assert decision == Decision(release="h")
    assert field.text == "the"


def test_held_keys_released_by_flush_at_deadline() -> None:
    field = Field()
    field.key("a", 0)
    field.key("b", 10)
    assert field.flush(40) == Decision()  # still within max_gap: not yet
    deadline = field.decoder.deadline_ms
    assert deadline == 41
    assert field.flush(deadline) == Decision(release="b")
    assert field.text == "ab" and field.decoder.deadline_ms is None
    assert field.flush(deadline + 500) == Decision()  # twice is harmless


@pytest.mark.parametrize("body", ["A", "AB", "ABC"])
def test_burst_shorter_than_min_length_is_typing(body: str) -> None:
    field = Field()
    t = field.type(body + "\r", 0, 3)
    field.settle(t)
    assert field.scans == []
    assert field.text == body + "\r"


def test_burst_of_exactly_min_length_is_a_scan() -> None:
    field = Field()
    field.type("ABCD\r", 0, 3)
    assert field.scans == ["ABCD"] and field.text == ""


def test_scan_without_terminator_is_given_back_as_typing() -> None:
    field = Field()
    t = field.type(CODE, 0, scanner_gaps(12))
    assert field.decoder.deadline_ms == t + 100 + 1  # confirmed: waits timeout_ms for Enter
    field.settle(t)
    assert field.scans == [] and field.text == CODE


def test_bluetooth_stall_after_confirmation_is_tolerated() -> None:
    field = Field()
    gaps = [4, 4, 4, 4, 80, 4, 4, 4, 4, 4, 4, 4, 60]  # stalls under timeout_ms once 4+ chars are in
    field.type(CODE + "\r", 0, gaps)
    assert field.scans == [CODE]


def test_stall_before_confirmation_breaks_the_burst() -> None:
    field = Field()
    t = field.type(CODE + "\r", 0, [4, 4, 80] + [4] * 10)
    field.settle(t)
    assert field.scans == ["100000042W"]  # the tail alone still looked like a scan
    assert field.text == "F0A"


def test_crlf_terminator_is_absorbed() -> None:
    field = Field()
    t = field.type(CODE + "\r\n", 0, 3)
    assert field.scans == [CODE] and field.text == ""
    field.key("\n", t + 200)  # a later Enter is the user's
    assert field.text == "\n"


@pytest.mark.parametrize(("gap", "absorbed"), [(0, True), (30, True), (31, False), (90, False)])
def test_lf_after_terminator_absorbed_only_within_max_gap(gap: int, absorbed: bool) -> None:
    field = Field()
    t = field.type(CODE + "\r", 0, 3)
    assert field.key("\n", t + gap).swallow is absorbed
    assert field.text == ("" if absorbed else "\n")


def test_multi_character_text_after_terminator_is_typing() -> None:
    field = Field()
    t = field.type(CODE + "\r", 0, 3)
    assert not field.key("\r\n", t + 2).swallow
    assert field.text == "\r\n"


def test_tab_suffix() -> None:
    field = Field(WedgeConfig(suffix="\t"))
    t = field.type(CODE + "\t", 0, 3)
    t = field.type("ABCD\r", t + 500, 3)  # Enter is not a terminator here
    field.settle(t)
    assert field.scans == [CODE]
    assert field.text == "ABCD\r"


def test_prefix_and_suffix_nothing_reaches_the_field() -> None:
    field = Field(WedgeConfig(prefix="\x02", suffix="\x03"))
    decisions = [field.key(c, 5 * i) for i, c in enumerate("\x02" + CODE + "\x03")]
    assert all(d.swallow for d in decisions)
    assert decisions[-1] == Decision(swallow=True, retract=0, scan=CODE)
    assert field.text == ""


def test_prefix_required() -> None:
    field = Field(WedgeConfig(prefix="$$"))
    t = field.type(CODE + "\r", 0, 3)  # fast, but no prefix: typing, never held
    assert field.swallowed == 0 and field.scans == []
    t = field.type("$$" + CODE + "\r", t + 500, 3)
    field.settle(t)
    assert field.scans == [CODE]
    assert field.text == CODE + "\r"


def test_prefix_typed_by_a_person_is_released() -> None:
    field = Field(WedgeConfig(prefix="$$"))
    assert field.key("$", 0).swallow
    assert field.key("5", 200) == Decision(release="$")
    assert field.key("$", 400).swallow
    assert field.key("x", 410) == Decision(release="$")  # prefix mismatch inside a burst
    assert field.key("$", 420).swallow
    assert field.key("$", 425).swallow
    field.settle(425)
    assert field.text == "$5$x$$" and field.scans == []


def test_no_suffix_mode_with_flush() -> None:
    field = Field(WedgeConfig(suffix="", timeout_ms=50))
    t = field.type(CODE, 0, scanner_gaps(12))
    deadline = field.decoder.deadline_ms
    assert deadline == t + 51
    assert field.flush(deadline - 1) == Decision()
    assert field.flush(deadline) == Decision(retract=1, scan=CODE)
    assert field.text == "" and field.scans == [CODE]


def test_no_suffix_mode_next_key_concludes_the_scan() -> None:
    field = Field(WedgeConfig(suffix=""))
    t = field.type(CODE, 0, 3)
    decision = field.key("x", t + 400)
    assert decision == Decision(retract=1, scan=CODE)
    assert field.text == "x"


def test_no_suffix_mode_enter_is_ordinary_key() -> None:
    field = Field(WedgeConfig(suffix=""))
    t = field.type("AB\r", 0, [3, 3])
    field.settle(t)
    assert field.scans == [] and field.text == "AB\r"


def test_control_characters_inside_a_scan() -> None:
    field = Field()
    field.type("]C1" + "01234\x1d5678" + "\r", 0, 3)
    assert field.scans == ["]C101234\x1d5678"]
    scan = Scan.from_raw(field.scans[0], "wedge")
    assert scan.value == "012345678" and scan.symbology == "code128"


def test_control_characters_do_not_count_or_start_a_burst() -> None:
    field = Field()
    t = field.type("\x1b\x1dAB\x00\x1d\x07\r", 0, 3)
    field.settle(t)
    assert field.scans == []
    assert field.text == "\x1b\x1dAB\x00\x1d\x07\r"


def test_key_that_cannot_be_retracted_never_starts_a_scan() -> None:
    field = Field()
    field.type("\x08" + CODE + "\r", 0, 3)  # Backspace, then at once a scan
    assert field.scans == [CODE]
    assert field.text == "\x08"  # the Backspace happened; only "F" was retracted


def test_garbage_printable_burst_is_a_scan_the_parser_rejects() -> None:
    field = Field()
    field.type("#%&/()\r", 0, 2)
    assert field.scans == ["#%&/()"]


def test_autorepeat_is_typing() -> None:
    field = Field()
    field.key("a", 0)
    for i in range(1, 10):
        assert not field.key("a", 15 * i, autorepeat=True).swallow
    field.key("\r", 150)
    assert field.scans == [] and field.text == "a" * 10 + "\r"


def test_autorepeat_ends_a_burst() -> None:
    field = Field()
    field.type("ab", 0, [5])
    assert field.key("b", 10, autorepeat=True) == Decision(release="b")
    assert field.text == "abb"


def test_multi_character_text_is_typing() -> None:
    field = Field()
    field.type("ab", 0, [5])
    assert field.key("´s", 8) == Decision(release="b")
    assert field.text == "ab´s"


def test_clock_going_backwards_ends_the_burst() -> None:
    field = Field()
    field.type("abc", 1000, [3, 3])
    assert field.key("d", 10) == Decision(release="bc")
    assert field.text == "abcd"


def test_interrupt_releases_held_keys() -> None:
    field = Field()
    field.type("ABCDE", 0, 3)
    assert field.decoder.interrupt() == Decision(release="BCDE")
    assert field.decoder.interrupt() == Decision()


def test_interrupt_in_no_suffix_mode_completes_a_scan() -> None:
    decoder = WedgeDecoder(WedgeConfig(suffix=""))
    for i, c in enumerate(CODE):
        decoder.feed(c, 3 * i)
    assert decoder.interrupt() == Decision(retract=1, scan=CODE)


def test_back_to_back_scans() -> None:
    field = Field()
    t = field.type(CODE + "\r", 0, 3)
    field.type("U0A100000001A\r", t + 3, 3)
    assert field.scans == [CODE, "U0A100000001A"] and field.text == ""


def test_feed_rejects_empty_text() -> None:
    with pytest.raises(ValueError):
        WedgeDecoder().feed("", 0)


# --- configuration ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"max_gap_ms": 0}, "wedge.max_gap"),
        ({"max_gap_ms": 101}, "wedge.max_gap"),
        ({"max_gap_ms": True}, "wedge.max_gap"),
        ({"min_length": 1}, "wedge.min_length"),
        ({"min_length": 65}, "wedge.min_length"),
        ({"max_gap_ms": 50, "timeout_ms": 40}, "wedge.timeout"),
        ({"timeout_ms": 2001}, "wedge.timeout"),
        ({"prefix": "123456789"}, "wedge.prefix"),
        ({"suffix": "\r" * 9}, "wedge.suffix"),
        ({"prefix": "\t", "suffix": "\r\t"}, "wedge.affix_overlap"),
    ],
)
def test_config_validation(kwargs: dict[str, object], code: str) -> None:
    with pytest.raises(ValidationError) as info:
        WedgeConfig(**kwargs)  # type: ignore[arg-type]
    assert info.value.code == code


def test_config_defaults() -> None:
    config = WedgeConfig()
    assert (config.max_gap_ms, config.min_length, config.prefix, config.suffix) == (
        30,
        4,
        "",
        "\r\n",
    )
    assert config.timeout_ms >= config.max_gap_ms


# --- properties ---------------------------------------------------------------------------------

printable = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
any_key = st.one_of(printable, st.sampled_from(["\r", "\n", "\t", "\x1d", "\x08", "ñ", "$"]))
any_gap = st.one_of(
    st.integers(0, 10), st.integers(25, 35), st.integers(90, 110), st.integers(60, 500)
)
configs = st.builds(
    WedgeConfig,
    max_gap_ms=st.integers(10, 40),
    min_length=st.integers(2, 8),
    prefix=st.sampled_from(["", "$", "\x02", "]]"]),
    suffix=st.sampled_from(["\r\n", "\r", "\t", "", "\x03"]),
    timeout_ms=st.integers(40, 150),
)


@given(st.text(alphabet=st.one_of(printable, st.just("\r")), max_size=40), st.data())
def test_property_human_typing_is_never_touched(text: str, data: st.DataObject) -> None:
    field = Field()
    gaps = data.draw(st.lists(st.integers(31, 2000), min_size=len(text), max_size=len(text)))
    t = field.type(text, 0, gaps)
    field.settle(t)
    assert field.swallowed == 0 and field.scans == [] and field.text == text


@given(st.lists(st.tuples(any_key, st.booleans()), max_size=60), st.data())
def test_property_runs_shorter_than_min_length_never_scan(
    keys: list[tuple[str, bool]], data: st.DataObject
) -> None:
    # A fast gap (<= max_gap) never occurs min_length - 1 times in a row: no scan can form.
    field = Field()
    t, fast_run = 0, 0
    for char, fast in keys:
        fast = fast and fast_run < field.config.min_length - 2
        fast_run = fast_run + 1 if fast else 0
        t += data.draw(st.integers(0, 30) if fast else st.integers(31, 400))
        field.key(char, t)
    field.settle(t)
    assert field.scans == [] and field.text == "".join(keys_text(keys))


def keys_text(keys: list[tuple[str, bool]]) -> list[str]:
    return [c for c, _ in keys]


@given(
    st.text(alphabet=printable, max_size=10),
    st.text(
        alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=4, max_size=40
    ),
    st.data(),
)
def test_property_scan_is_extracted_from_any_field(
    before: str, body: str, data: st.DataObject
) -> None:
    field = Field()
    t = field.type(before, 0, data.draw(st.lists(st.integers(61, 400), min_size=len(before))))
    pause = data.draw(st.integers(31, 5000))
    gaps = data.draw(st.lists(st.integers(0, 30), min_size=len(body), max_size=len(body)))
    t = field.type(body + "\r", t + pause, gaps)
    field.settle(t)
    assert field.scans == [body]
    assert field.text == before


@settings(max_examples=300)
@given(configs, st.lists(st.tuples(any_key, any_gap, st.booleans()), max_size=80))
def test_property_nothing_lost_nothing_duplicated(
    config: WedgeConfig, events: list[tuple[str, int, bool]]
) -> None:
    field = Field(config)
    t = 0
    for char, gap, flush_first in events:
        if flush_first:
            field.flush(t + gap // 2)
        t += gap
        field.key(char, t)
        assert field.decoder.deadline_ms is None or field.decoder.deadline_ms > t
    field.settle(t)
    # Field checked every step; overall every key is in the field, a scan or a terminator.
    assert is_subsequence(field.text, "".join(field.fed))
    consumed = sum(len(config.prefix) + len(s) for s in field.scans)
    assert len(field.fed) == len(field.text) + consumed + field.terminators


@settings(max_examples=200)
@given(configs, st.lists(st.tuples(any_key, any_gap), max_size=60), st.data())
def test_property_flush_timing_does_not_change_the_outcome(
    config: WedgeConfig, events: list[tuple[str, int]], data: st.DataObject
) -> None:
    plain, timed = Field(config), Field(config)
    t = 0
    for char, gap in events:
        for offset in sorted(data.draw(st.lists(st.integers(0, gap), max_size=2))):
            timed.flush(t + offset)
        t += gap
        plain.key(char, t)
        timed.key(char, t)
    plain.settle(t)
    timed.settle(t)
    assert (plain.text, plain.scans) == (timed.text, timed.scans)


def _cumulative(gaps: list[int]) -> list[int]:
    out, t = [], 0
    for gap in gaps:
        t += gap
        out.append(t)
    return out


# --- Scan ---------------------------------------------------------------------------------------

NOW = datetime(2025, 3, 4, 15, 30, tzinfo=UTC)


def test_scan_from_raw() -> None:
    scan = Scan.from_raw(" ]C0f0a100000042w\r", "wedge", at=NOW)
    assert scan == Scan(CODE, "code128", "wedge", NOW)
    assert Scan.from_raw(CODE, "manual", at=NOW).symbology == UNKNOWN_SYMBOLOGY
    assert Scan.from_raw("]Q1abc", "camera", symbology="qrcode", at=NOW).symbology == "qrcode"
    assert Scan.from_raw("]X0abc", "image", at=NOW).symbology == UNKNOWN_SYMBOLOGY


def test_scan_from_raw_converts_to_utc_and_defaults_to_now() -> None:
    bogota = timezone(timedelta(hours=-5))
    scan = Scan.from_raw(CODE, "collector", at=datetime(2025, 3, 4, 10, 30, tzinfo=bogota))
    assert scan.at == NOW and scan.at.utcoffset() == timedelta(0)
    before = datetime.now(UTC)
    assert before <= Scan.from_raw(CODE, "wedge").at <= datetime.now(UTC)


def test_scan_from_raw_empty() -> None:
    with pytest.raises(ValidationError) as info:
        Scan.from_raw("\r\n", "wedge")
    assert info.value.code == "barcode.empty"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"value": ""},
        {"value": "abc"},  # not normalized
        {"value": " ABC"},
        {"value": "A\rB"},
        {"symbology": ""},
        {"symbology": "Code128"},
        {"source": "fax"},
        {"at": datetime(2025, 3, 4, 15, 30)},  # naive
        {"at": datetime(2025, 3, 4, 10, 30, tzinfo=timezone(timedelta(hours=-5)))},
    ],
)
def test_scan_validation(kwargs: dict[str, object]) -> None:
    values: dict[str, object] = {
        "value": CODE,
        "symbology": "code128",
        "source": "wedge",
        "at": NOW,
    }
    values.update(kwargs)
    with pytest.raises(ValueError):
        Scan(**values)  # type: ignore[arg-type]


def test_scan_naive_at_rejected_by_from_raw() -> None:
    with pytest.raises(ValueError):
        Scan.from_raw(CODE, "wedge", at=datetime(2025, 1, 1))


def test_scan_is_frozen_and_sources() -> None:
    scan = Scan(CODE, "code39", "manual", NOW)
    with pytest.raises(AttributeError):
        scan.value = "X"  # type: ignore[misc]
    assert {"wedge", "camera", "image", "collector", "manual"} == SOURCES
