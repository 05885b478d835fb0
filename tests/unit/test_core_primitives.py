"""UUIDv7 ids, the hybrid logical clock, settings files, time formatting."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

import pytest

from archive.domain.hlc import HybridClock, pack, unpack
from archive.domain.ids import uuid7, uuid7_time_ms
from archive.domain.timefmt import format_date, format_datetime, parse_date
from archive.settings import SCHEMA_VERSION, Settings, load_settings, save_settings


def test_uuid7_is_version_7_time_ordered_and_unique() -> None:
    ids = [uuid7() for _ in range(20_000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    parsed = uuid.UUID(ids[0])
    assert parsed.version == 7
    assert parsed.variant == uuid.RFC_4122
    now_ms = datetime.now(UTC).timestamp() * 1000
    assert abs(uuid7_time_ms(ids[-1]) - now_ms) < 5_000


def test_hlc_never_goes_backwards_when_the_wall_clock_does() -> None:
    wall = [1_000]
    clock = HybridClock(wall_ms=lambda: wall[0])
    a = clock.now()
    wall[0] = 500  # clock set back
    b = clock.now()
    c = clock.now()
    assert a < b < c
    assert unpack(b) == (1_000, 1)
    wall[0] = 2_000
    assert unpack(clock.now()) == (2_000, 0)


def test_hlc_observe_orders_after_remote_events() -> None:
    clock = HybridClock(wall_ms=lambda: 1_000)
    remote = pack(9_000, 3)
    clock.observe(remote)
    assert clock.now() > remote


def test_settings_upgrade_from_version_1(tmp_path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"language": "en-US", "last_username": "ana", "bogus": 1}))
    s = load_settings(path)
    assert s.language == "en"
    assert s.last_username == "ana"
    save_settings(s, path)
    stored = json.loads(path.read_text())
    assert stored["schema_version"] == SCHEMA_VERSION
    assert "bogus" not in stored


@pytest.mark.parametrize("content", ["", "{not json", "[1, 2]", '{"language": 5}'])
def test_unreadable_or_wrong_settings_give_defaults(tmp_path, content: str) -> None:
    path = tmp_path / "settings.json"
    path.write_text(content)
    assert load_settings(path).language == Settings().language


def test_dates_are_shown_dd_mm_aaaa_in_bogota_time() -> None:
    assert format_date(date(2026, 2, 3)) == "03/02/2026"
    assert format_date(None) == "s.f."
    # 03:30 UTC is still the previous evening in Bogotá (UTC-5).
    assert format_datetime(datetime(2026, 2, 3, 3, 30, tzinfo=UTC)) == "02/02/2026 22:30"
    assert parse_date("03/02/2026") == date(2026, 2, 3)
    assert parse_date("2026-02-03") == date(2026, 2, 3)
    assert parse_date("s.f.") is None
    with pytest.raises(ValueError):
        parse_date("31/02/2026")


def test_hlc_reserve_hands_out_consecutive_stamps_after_everything_issued() -> None:
    wall = [1_000]
    clock = HybridClock(wall_ms=lambda: wall[0])
    before = clock.now()
    block = clock.reserve(5)
    assert list(block) == list(range(before + 1, before + 6))
    assert clock.now() == before + 6  # the next stamp comes after the whole block
    wall[0] = 2_000
    assert clock.reserve(2)[0] == pack(2_000, 0) and clock.now() == pack(2_000, 2)
