"""Checkpoints of the engine's state: copies that do not change with the live state, and what survives placing
events again (pure)."""

from __future__ import annotations

from correlate import model as m
from correlate import recurrence as rec
from correlate.checkpoint import FIRST, Checkpoint, carry_over, repeated
from correlate.placement import Placement, Step
from correlate.settings import CorrelateSettings


def member(eid: str, ts: int, uid: str = "uid-pod-a") -> m.Member:
    ctx = m.Context(uid=uid, kind="Pod", name=uid, namespace="ns", node="node-1")
    return m.Member(id=eid, ts=ts, reason="BackOff", category="crash", severity_rank=4, ctx=ctx)


def test_a_checkpoint_does_not_change_with_the_live_state() -> None:
    live = Placement()
    live.place(member("a", 0), [], Step())
    cp = Checkpoint.of(FIRST, live, rec.History(CorrelateSettings()))
    live.place(member("b", 1_000), [m.Link("b", "a", m.SAME_RESOURCE, 1.0)], Step())
    (corr,) = live.open()
    assert set(corr.members) == {"a", "b"}
    core, _history = cp.restore()
    (kept,) = core.open()
    assert set(kept.members) == {"a"} and set(core.of) == {"a"} and core.links == {}
    assert core.past == {"uid-pod-a": [0], "uid-pod-a#BackOff": [0]}  # its past: placed again, not counted twice
    assert core.since == 0  # and since when that past was watched
    core.place(member("c", 2_000), [m.Link("c", "a", m.SAME_RESOURCE, 1.0)], Step())
    (again,) = cp.restore()[0].open()
    assert set(again.members) == {"a"}  # restoring copies: the checkpoint serves the next time too


def test_a_repeat_is_a_new_member_object_and_moves_last_seen() -> None:
    x = member("a", 0)
    y = repeated(x, 5, 9_000)
    assert (x.count, x.last_ts) == (1, 0) and (y.count, y.last_ts) == (5, 9_000)
    corr = m.Correlation("c", members={"a": x})
    assert corr.last_seen == 0  # kept from here on
    corr.members["a"] = y
    corr.repeated()
    assert corr.last_seen == 9_000


def test_what_was_published_and_written_survives_placing_again() -> None:
    src = m.Correlation("c1", state="active", version=3, published=True)
    src.written_members, src.written_root = {"a", "b"}, "a"
    dst = m.Correlation("c1")
    carry_over(dst, src)
    assert (dst.version, dst.published, dst.written_members, dst.written_root) == (3, True, {"a", "b"}, "a")
    assert dst.state == "active"  # a published incident is corrected, never taken back to building
    merged = m.Correlation("c2", version=2, published=True, merged_into="c1")
    merged.written_members = {"x"}
    dst2 = m.Correlation("c2")
    carry_over(dst2, merged)
    assert dst2.version == 2 and dst2.written_members == set()  # its edges went when it was merged away
