"""Time formats as the sources write them: the API server's seconds, the scheduler's microseconds, the collectors'
nanoseconds. Why one module: every emitter must print the same instant the same way its real source would.
"""

from __future__ import annotations

from datetime import UTC, datetime

MS = 1
SECOND = 1000
MINUTE = 60 * SECOND


def _dt(ms: int) -> datetime:
    return datetime.fromtimestamp(ms // 1000, UTC)


def seconds(ms: int) -> str:
    """``2025-03-14T10:02:03Z`` (metav1.Time: whole seconds)."""
    return _dt(ms).strftime("%Y-%m-%dT%H:%M:%SZ")


def micros(ms: int, extra_us: int = 0) -> str:
    """``2025-03-14T10:02:03.123456Z`` (metav1.MicroTime, watch observation times)."""
    return _dt(ms).strftime("%Y-%m-%dT%H:%M:%S") + f".{(ms % 1000) * 1000 + extra_us % 1000:06d}Z"


def nanos(ms: int, extra_ns: int = 0) -> str:
    """``2025-03-14T10:02:03.123456789Z`` (collectors stamp with nanoseconds)."""
    return _dt(ms).strftime("%Y-%m-%dT%H:%M:%S") + f".{(ms % 1000) * 1_000_000 + extra_ns % 1_000_000:09d}Z"
