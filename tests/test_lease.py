"""The lease state machine without I/O: when to request, what each answer does, and that a leader always stops a
third of the ttl before anyone else can take the key."""

from __future__ import annotations

import math

import pytest

from causegraph.lease import Change, Lease, Role, lease_key

TTL = 3.0


def test_a_follower_tries_to_create_every_retry_and_a_create_makes_it_leader() -> None:
    lease = Lease("w1", TTL)
    assert lease.next_at() == -math.inf  # at once
    lease.trying(10.0)
    assert lease.next_at() == 10.0 + lease.retry_s
    assert lease.refused() is None and lease.role is Role.FOLLOWER  # the key is someone else's
    assert lease.created(7, sent=10.0, wall=1_700_000_000.0) is Change.GAINED
    assert lease.leading and lease.revision == 7 and lease.since == 1_700_000_000.0
    assert lease.next_at() == pytest.approx(10.0 + TTL / 3)  # the first renewal


def test_renewals_move_the_deadline_and_a_leader_stops_two_thirds_of_the_ttl_after_the_last_one() -> None:
    lease = Lease("w1", TTL)
    lease.created(1, sent=0.0, wall=0.0)
    lease.renewed(2, sent=1.0)
    assert lease.revision == 2 and lease.deadline() == pytest.approx(1.0 + 2.0)
    assert lease.valid(2.9) and not lease.valid(3.0)
    lease.renewed(3, sent=0.5)  # a late answer to an older request does not move the deadline back
    assert lease.deadline() == pytest.approx(3.0)


def test_a_failed_renewal_is_tolerated_until_the_deadline_then_the_leader_steps_down() -> None:
    lease = Lease("w1", TTL)
    lease.created(1, sent=0.0, wall=0.0)
    lease.trying(1.0)
    assert lease.failed(1.0) is None and lease.leading  # a NATS server went away: try again
    assert lease.next_at() == pytest.approx(1.0 + lease.retry_s)  # after a retry, not in a tight loop
    lease.trying(1.9)
    assert lease.next_at() == pytest.approx(2.0)  # but never past the deadline
    assert lease.failed(1.99) is None
    assert lease.failed(2.0) is Change.LOST
    assert lease.role is Role.FOLLOWER and lease.since is None and not lease.valid(2.0)
    assert lease.failed(5.0) is None  # a follower's failed create changes nothing


def test_a_refused_renewal_steps_down_at_once() -> None:
    lease = Lease("w1", TTL)
    lease.created(4, sent=0.0, wall=0.0)
    assert lease.refused() is Change.LOST
    assert not lease.leading and lease.confirmed == -math.inf


def test_resigning_keeps_the_revision_to_delete_at() -> None:
    lease = Lease("w1", TTL)
    assert lease.resign() is None
    lease.created(9, sent=0.0, wall=0.0)
    assert lease.resign() is Change.LOST and lease.revision == 9


@pytest.mark.parametrize("ttl", [0.5, 3.0, 30.0])
def test_whatever_the_answers_a_leader_is_never_valid_once_the_key_can_have_expired(ttl: float) -> None:
    """The server keeps the key ``ttl`` after it wrote the last renewal, which it did after the leader sent it."""
    lease = Lease("w1", ttl)
    lease.created(1, sent=0.0, wall=0.0)
    sent_ok = 0.0
    now = 0.0
    for step in range(200):
        now = max(now, lease.next_at())
        lease.trying(now)
        if step % 3 == 2:
            lease.failed(now)
        else:
            lease.renewed(step + 2, sent=now)
            sent_ok = now
        if lease.valid(now):
            assert now <= sent_ok + ttl * 2 / 3
        assert not lease.valid(sent_ok + ttl * 2 / 3)
    assert lease.leading  # one failure in three never costs the lease


def test_the_retry_is_short_enough_for_a_failover_in_seconds() -> None:
    assert Lease("w", 3.0).retry_s == 0.5
    assert Lease("w", 60.0).retry_s == 1.0


@pytest.mark.parametrize(
    ("cluster", "key"),
    [("default", "default"), ("prod-eu.1", "prod-eu.1"), ("a/b", "a/b")],
)
def test_a_cluster_name_kv_allows_is_its_own_key(cluster: str, key: str) -> None:
    assert lease_key(cluster) == key


def test_other_cluster_names_map_to_distinct_valid_keys() -> None:
    keys = {lease_key(c) for c in ("prod eu", "prod:eu", "prod*eu", ".prod", "")}
    assert len(keys) == 5
    assert all(k.replace("_", "").replace("-", "").isalnum() for k in keys)


def test_a_renewal_written_after_its_timeout_is_adopted_without_moving_the_deadline() -> None:
    lease = Lease("w1", TTL)
    lease.created(4, sent=0.0, wall=0.0)
    lease.ours_at(6)  # the key names us at revision 6: renew from there
    assert lease.leading and lease.revision == 6 and lease.deadline() == pytest.approx(2.0)
    lease.resign()
    lease.ours_at(9)
    assert lease.revision == 6  # a follower adopts nothing
