"""Correlation leadership as a lease on a NATS KV key: the pure state machine (no I/O; times are passed in).

The key (the cluster name, in a bucket whose entries live ``ttl`` after their last write) names the worker that
correlates. ``causegraph.leader`` does the requests this machine asks for and tells it their outcome:

    follower --create ok--> leader          every retry_s a follower tries ``kv.create`` (fails while the key exists)
    leader   --renew ok---> leader          every renew_s (ttl/3) ``kv.update(last=revision)``: compare-and-set
    leader   --refused----> follower        the revision moved or the key is gone: someone else may lead; at once
                                            (unless the key still names this worker: a renewal that timed out
                                            was written after all, and the lease goes on from its revision)
    leader   --deadline---> follower        no renewal confirmed for 2/3 ttl (NATS unreachable, a stalled process)
    leader   --resign-----> follower        a clean stop deletes the key (``last=revision``): no waiting out the ttl

Why it is safe: the server writes a renewal after the leader sent it, so the key lives at least until
``confirmed + ttl`` where ``confirmed`` is when the leader sent the last renewal the server confirmed. The leader
stops at ``confirmed + 2/3 ttl``, a third of the ttl before anyone else can create the key; a renewal that merely
errs (a NATS server went away, the client reconnects to another) is retried until then. Why ttl/3 and not less:
two renewals may fail in a row before it matters.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from enum import StrEnum

_KEY_OK = re.compile(r"^[-/_=.a-zA-Z0-9]+$")


class Role(StrEnum):
    FOLLOWER = "follower"
    LEADER = "leader"


class Change(StrEnum):
    """What an outcome did to this worker's role (None when nothing changed)."""

    GAINED = "gained"
    LOST = "lost"


def lease_key(cluster: str) -> str:
    """The KV key of a cluster name: the name itself when KV allows it, else its allowed characters and a hash."""
    if _KEY_OK.match(cluster) and not cluster.startswith(".") and not cluster.endswith("."):
        return cluster
    safe = re.sub(r"[^-_a-zA-Z0-9]", "_", cluster).strip("_")
    return f"c_{safe or 'default'}_{hashlib.sha256(cluster.encode()).hexdigest()[:12]}"


@dataclass
class Lease:
    """One worker's view of the lease; ``since`` is the wall time it became leader (None while following)."""

    worker: str
    ttl_s: float
    role: Role = Role.FOLLOWER
    revision: int = 0
    confirmed: float = -math.inf  # monotonic time the last confirmed create/renewal was sent
    since: float | None = None
    tried: float = -math.inf  # monotonic time of the last request

    @property
    def renew_s(self) -> float:
        return self.ttl_s / 3

    @property
    def retry_s(self) -> float:
        """How often a follower tries to create the key: the failover waits out the ttl plus at most this."""
        return min(self.ttl_s / 6, 1.0)

    @property
    def leading(self) -> bool:
        return self.role is Role.LEADER

    def deadline(self) -> float:
        """The monotonic time past which a leader without a newer confirmed renewal must have stopped."""
        return self.confirmed + self.ttl_s * 2 / 3

    def valid(self, now: float) -> bool:
        """Whether this worker may correlate at ``now`` (the correlator thread asks before each batch)."""
        return self.leading and now < self.deadline()

    def next_at(self) -> float:
        """When to send the next request (create for a follower, renew for a leader)."""
        if self.leading:  # a failed renewal is tried again after retry_s, the deadline always checked
            return min(max(self.confirmed + self.renew_s, self.tried + self.retry_s), self.deadline())
        return self.tried + self.retry_s

    def trying(self, now: float) -> None:
        """A request goes out now."""
        self.tried = now

    def created(self, revision: int, sent: float, wall: float) -> Change:
        """The key was free and is now ours."""
        self.role, self.revision, self.confirmed, self.since = Role.LEADER, revision, sent, wall
        return Change.GAINED

    def renewed(self, revision: int, sent: float) -> None:
        """A renewal sent at ``sent`` was written at ``revision``."""
        if self.leading:
            self.revision, self.confirmed = revision, max(self.confirmed, sent)

    def ours_at(self, revision: int) -> None:
        """A renewal that timed out had been written after all (the key holds our name at ``revision``): renew from
        there. The deadline does not move: that write's time is not known."""
        if self.leading:
            self.revision = revision

    def refused(self) -> Change | None:
        """The server said no: a create found the key held (nothing changes), a renewal found it moved (we lost)."""
        return self._step_down()

    def failed(self, now: float) -> Change | None:
        """A request got no answer: a leader keeps leading until its deadline, then steps down."""
        if self.leading and now >= self.deadline():
            return self._step_down()
        return None

    def resign(self) -> Change | None:
        """A clean stop: the caller deletes the key at ``revision`` after this."""
        return self._step_down()

    def _step_down(self) -> Change | None:
        if not self.leading:
            return None
        self.role, self.since, self.confirmed = Role.FOLLOWER, None, -math.inf
        return Change.LOST
