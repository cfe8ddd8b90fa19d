"""The one RFC3339 parser: what it takes, what it refuses (naming the field), and the one formatter."""

from __future__ import annotations

import time

import pytest

from model.times import TimeError, epoch_ms_ns, iso_ms, now_ms, parse_rfc3339, parse_rfc3339_ns

T = 1_767_225_600_000  # 2026-01-01T00:00:00Z


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("2026-01-01T00:00:00Z", T),
        ("2026-01-01t00:00:00z", T),
        ("2026-01-01 00:00:00Z", T),
        (" 2026-01-01T00:00:00Z ", T),
        ("2026-01-01T00:00:00.5Z", T + 500),
        ("2026-01-01T00:00:00.999999999Z", T + 999),
        ("2026-01-01T01:00:00+01:00", T),
        ("2025-12-31T19:00:00-0500", T),
        ("2025-12-31T23:59:60Z", T - 1000),  # a leap second is second 59
    ],
)
def test_accepted(text: str, ms: int) -> None:
    assert parse_rfc3339(text, "t") == ms


@pytest.mark.parametrize(
    "text",
    [
        "2026-01-01T00:00:00",  # no zone: it would be the reader's local time
        "2026-01-01",
        "2026-01-01T00:00Z",
        "2026-01-01T00:00:00.1234567890Z",
        "2026-13-01T00:00:00Z",
        "2026-01-01T00:00:00+24:00",
        "2026-01-01T00:00:00 UTC",
        "yesterday",
        "",
    ],
)
def test_refused_naming_the_field(text: str) -> None:
    with pytest.raises(TimeError, match=r"^metadata\.creationTimestamp: "):
        parse_rfc3339(text, "metadata.creationTimestamp")


def test_before_1970_refused() -> None:
    with pytest.raises(TimeError, match=r"outside 1970\.\.9999"):
        parse_rfc3339("1969-12-31T23:59:59Z", "since")


def test_iso_ms_round_trips() -> None:
    assert iso_ms(1_777_629_600_000) == "2026-05-01T10:00:00Z"
    assert iso_ms(1_777_629_600_123) == "2026-05-01T10:00:00.123Z"
    assert parse_rfc3339(iso_ms(1_777_629_600_123), "at") == 1_777_629_600_123


def test_now_ms_is_the_wall_clock() -> None:
    assert abs(now_ms() - time.time() * 1000) < 5_000


@pytest.mark.parametrize(
    ("value", "ms", "ns"),
    [
        ("2026-01-01T00:00:00.123456789Z", 1_767_225_600_123, 456_789),
        ("2026-01-01T00:00:00.1234Z", 1_767_225_600_123, 400_000),
        ("2026-01-01T00:00:00.123Z", 1_767_225_600_123, 0),
        ("2026-01-01T01:00:00.123456789+01:00", 1_767_225_600_123, 456_789),  # an offset: its digits are no time
        ("2026-01-01T05:45:00.000000001+05:45", 1_767_225_600_000, 1),
        ("2026-01-01T00:00:00Z", 1_767_225_600_000, 0),
        (1_767_225_600_123_456_789, 1_767_225_600_123, 456_789),  # epoch ns
        (1_767_225_600_123_456, 1_767_225_600_123, 456_000),  # epoch us
        (1_767_225_600_123, 1_767_225_600_123, 0),  # epoch ms
        (1_767_225_600, 1_767_225_600_000, 0),  # epoch s
        (1_767_225_600.5, 1_767_225_600_500, 0),
    ],
)
def test_the_nanoseconds_within_the_millisecond(value: str | int | float, ms: int, ns: int) -> None:
    got = parse_rfc3339_ns(value, "t") if isinstance(value, str) else epoch_ms_ns(value)
    assert got == (ms, ns)
