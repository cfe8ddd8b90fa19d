"""Deterministic identifiers and timestamps.

Everything random in a scenario comes from one ``random.Random``; this module turns it into the identifier shapes the
real systems use (Kubernetes uids and name suffixes, W3C trace ids, collector event ids) and formats times the way
each producer does (the API server's second-precision RFC3339, MicroTime, the collectors' nanosecond RFC3339).
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime

SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # k8s.io/apimachinery/pkg/util/rand: no vowels, no 0/1/3
ULID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def uid(rng: random.Random) -> str:
    """A version-4 UUID, as the API server assigns to every object."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def suffix(rng: random.Random, n: int = 5) -> str:
    """A generateName suffix (pods of a ReplicaSet, DaemonSet pods)."""
    return "".join(rng.choice(SUFFIX_ALPHABET) for _ in range(n))


def template_hash(rng: random.Random) -> str:
    """A pod-template-hash (the ReplicaSet name suffix): 8 to 10 characters of the same alphabet."""
    return suffix(rng, rng.choice((8, 9, 10)))


def hexid(rng: random.Random, nbytes: int) -> str:
    """Lower-case hex of ``nbytes`` random bytes (trace ids are 16 bytes, span ids 8)."""
    return f"{rng.getrandbits(8 * nbytes):0{2 * nbytes}x}"


def ulid(rng: random.Random, ms: int) -> str:
    """A ULID for ``ms``: 10 characters of time, 16 of randomness."""
    value = (ms << 80) | rng.getrandbits(80)
    out = []
    for _ in range(26):
        out.append(ULID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(out))


def event_name_suffix(ms: int) -> str:
    """The hex suffix the client-go recorder appends to an Event name (``<object>.<UnixNano in hex>``)."""
    return f"{ms * 1_000_000 + (ms * 7919) % 1_000_000:x}"


def _dt(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def rfc3339_s(ms: int) -> str:
    """Second precision, as the API server writes metav1.Time (firstTimestamp, creationTimestamp)."""
    return _dt(ms).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc3339_us(ms: int) -> str:
    """Microsecond precision, metav1.MicroTime (events.k8s.io/v1 eventTime, series.lastObservedTime)."""
    return _dt(ms).strftime("%Y-%m-%dT%H:%M:%S.") + f"{(ms % 1000) * 1000 + (ms * 37) % 1000:06d}Z"


def rfc3339_ns(ms: int, rng: random.Random) -> str:
    """Nanosecond precision with a numeric offset or Z, as Go's time.RFC3339Nano (collectors)."""
    frac = (ms % 1000) * 1_000_000 + rng.randrange(1_000_000)
    return _dt(ms).strftime("%Y-%m-%dT%H:%M:%S.") + f"{frac:09d}Z"


def rfc3339_ms(ms: int) -> str:
    """Millisecond precision (the Node and Python OpenTelemetry SDK exporters' style)."""
    return _dt(ms).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
