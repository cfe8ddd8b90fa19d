"""Time at the bottom: the one RFC3339 parser, the one wall clock in epoch milliseconds, the one formatter.

Times are integers, epoch milliseconds (DESIGN §3). Every layer that reads a time from outside (Kubernetes
objects, collector events, recorded changes, API query parameters, stored documents) parses it here, so they
accept the same texts: strict RFC3339, a full date and time with seconds, ``T`` (or a space) between them,
fractions up to nanoseconds (cut to milliseconds), and a zone, ``Z`` or an offset (``+01:00``; ``+0100`` too).
A time without a zone is refused: it would mean the reader's local time. Errors name the field.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

MIN_MS = 0
MAX_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:?\d{2})$",
    re.ASCII,
)


class TimeError(ValueError):
    """A text that is not an RFC3339 time in range; ``str()`` names the field and why."""


def epoch_ms_ns(n: int | float) -> tuple[int, int]:
    """``(epoch milliseconds, nanoseconds within that millisecond)`` of an epoch number, its unit read from its
    magnitude (seconds, milliseconds, microseconds, nanoseconds), as collectors send it; not bounded. The
    nanoseconds order two events of one millisecond by time, not by their ids (0 where the number has none)."""
    exact = isinstance(n, int)
    if n >= 1e17:
        return (int(n) // 1_000_000, int(n) % 1_000_000) if exact else (int(n / 1e6), 0)
    if n >= 1e14:
        return (int(n) // 1000, int(n) % 1000 * 1000) if exact else (int(n / 1e3), 0)
    return (int(n), 0) if n >= 1e11 else (int(n * 1e3), 0)


def parse_rfc3339(value: str, field: str) -> int:
    """Epoch milliseconds of the RFC3339 time ``value``; ``TimeError`` naming ``field`` otherwise."""
    return parse_rfc3339_ns(value, field)[0]


def parse_rfc3339_ns(value: str, field: str) -> tuple[int, int]:
    """``(epoch milliseconds, nanoseconds within that millisecond)`` of the RFC3339 time ``value`` (one match for
    both); ``TimeError`` naming ``field`` otherwise."""
    m = _RFC3339.match(value.strip())
    if not m:
        raise TimeError(f"{field}: not an RFC3339 time: {value[:60]!r}")
    year, month, day, hour, minute, second, frac, zone = m.groups()
    try:  # a leap second (``:60``) is the last ms of its minute's second 59
        base = datetime(int(year), int(month), int(day), int(hour), int(minute), min(int(second), 59), tzinfo=UTC)
    except ValueError as exc:
        raise TimeError(f"{field}: {exc}: {value[:60]!r}") from None
    fraction = (frac or "0").ljust(9, "0")
    ms = int(base.timestamp()) * 1000 + int(fraction[:3])
    if zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        offset_min = int(digits[:2]) * 60 + int(digits[2:])
        if offset_min >= 24 * 60:
            raise TimeError(f"{field}: bad UTC offset {zone!r}")
        ms -= sign * offset_min * 60_000
    return bounded(ms, field), int(fraction[3:])


def bounded(ms: int, field: str) -> int:
    """``ms`` when it lies in 1970..9999, else ``TimeError`` naming ``field``."""
    if not MIN_MS <= ms <= MAX_MS:
        raise TimeError(f"{field}: time {ms} ms is outside 1970..9999")
    return ms


def now_ms() -> int:
    """The wall clock in epoch milliseconds (arrival times, ``updated_at``; never an event's own time)."""
    return time.time_ns() // 1_000_000


def iso_ms(ms: int) -> str:
    """Epoch milliseconds as RFC3339 UTC (``2026-05-01T10:00:00Z``, milliseconds only when not zero)."""
    dt = datetime.fromtimestamp(ms / 1000, tz=UTC)
    if ms % 1000:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")
