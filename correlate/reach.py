"""The engine's links between events, answered from memory (pure): what ``related_events.cypher`` answers, for the
events the engine can use a link to.

The engine only uses a link to an event an open correlation holds (``Placement.place``), and it holds every such
event in memory with its resource's topology (``Context``: node, owners, services, what it mounts). So the link
question needs no graph round trip per batch: ``LinkIndex`` keeps the recent placed events by the keys a link
reaches them through, and ``CallGraph`` the services' CALLS edges (loaded from the graph, and the calls each stored
event adds). ``fold`` is the one rule both answers share: one link per pair, the heaviest, directed if any is.

The paths are those of the Cypher, branch by branch, in its order (``fold`` reads the order): same resource; owner
up and down (``OWNED_BY`` up to 3 hops); same workload (a common owner within 2 hops of each); pod and node; pod and
the services selecting it; services calling one another (``CALLS`` up to 3 hops, from the services selecting the
resource or the Service itself, to a Service or a pod it selects); pod and the ConfigMap/Secret/PVC it uses; the
trace. Weak sibling links (pods on one node, pods sharing a ConfigMap) are left out, as the engine asks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from correlate import model as m
from correlate.scoring import link_base, weight_at

PRUNE_AT = 20_000  # events indexed before the first prune
CALLS_REFRESH_MS = 30_000  # how often a running engine reads the call graph again
Row = tuple[str, str, int, int, Sequence[str], Sequence[int]]  # (asked id, link kind, dir, hops, other ids, times)


def fold(rows: Iterable[Row], ts: Mapping[str, int], *, window_ms: int, max_hops: int) -> dict[str, list[m.Link]]:
    """``{asked id: [Link]}`` from link rows in branch order: one link per pair, the heaviest (the lesser kind on a
    tie); its direction that of the first directed link, or of a heavier directed one."""
    best: dict[tuple[str, str], tuple[float, str, int]] = {}  # pair -> (weight, kind, hops) of the heaviest link
    direction: dict[tuple[str, str], int] = {}
    for a, kind, d, hops, others, times in rows:
        if kind == m.CALLS and hops > max_hops:
            continue
        at = ts[a]
        base = link_base(kind, d, hops)  # one per row: only the time differs between its links
        for b, other_ts in zip(others, times, strict=True):
            if a == b:
                continue
            w = weight_at(base, abs(at - int(other_ts)), window_ms)
            pair = (a, b)
            held = best.get(pair)
            if held is None:
                best[pair] = (w, kind, hops)
                if d:
                    direction[pair] = d
                continue
            if d and (pair not in direction or w > held[0]):
                direction[pair] = d
            if w > held[0] or (w == held[0] and kind < held[1]):
                best[pair] = (w, kind, hops)
    out: dict[str, list[m.Link]] = {}
    for (a, b), (w, kind, hops) in sorted(best.items()):
        out.setdefault(a, []).append(m.Link(a, b, kind, w, direction.get((a, b), 0), hops))
    return out


class CallGraph:
    """The services' CALLS edges by uid, and the services within ``CALLS_HOPS`` of a set of them (cached until an
    edge is added)."""

    HOPS = 3  # as ``related_events.cypher``: [:CALLS*1..3]

    def __init__(self, edges: Iterable[tuple[str, str]] = ()) -> None:
        self._out: dict[str, set[str]] = {}
        self._in: dict[str, set[str]] = {}
        self._near: dict[tuple[tuple[str, ...], int], dict[str, int]] = {}
        self.add(edges)

    def add(self, edges: Iterable[tuple[str, str]]) -> None:
        for a, b in edges:
            if a and b and b not in self._out.get(a, ()):
                self._out.setdefault(a, set()).add(b)
                self._in.setdefault(b, set()).add(a)
                self._near.clear()

    def near(self, start: Sequence[str], direction: int) -> dict[str, int]:
        """``{service uid: fewest hops}`` reached from ``start`` in 1..3 CALLS hops: callees (``direction`` 1) or
        callers (-1). A service of ``start`` is reached only through a cycle, as a Cypher path of length >= 1."""
        if not start:
            return {}
        key = (tuple(sorted(start)), direction)
        found = self._near.get(key)
        if found is None:
            found = self._near[key] = self._walk(key[0], self._out if direction > 0 else self._in)
        return found

    @staticmethod
    def _walk(start: Sequence[str], edges: Mapping[str, set[str]]) -> dict[str, int]:
        hops: dict[str, int] = {}
        frontier = set(start)
        for n in range(1, CallGraph.HOPS + 1):
            frontier = {b for a in frontier for b in edges.get(a, ()) if b not in hops}
            for b in frontier:
                hops[b] = n
            if not frontier:
                break
        return hops


@dataclass(frozen=True)
class _Entry:
    id: str
    ts: int
    uid: str
    usable: bool  # warning or worse, or a change (``min_rank`` of the question)


class LinkIndex:
    """The placed events (the recent ones, and those of open correlations) by the keys links reach them through.

    Append-only between prunes, and shared by the engine's checkpoints: an event placed and then undone (placing
    again from a checkpoint) stays indexed, and ``links`` leaves it out by asking whether it is placed now.
    """

    def __init__(self, min_rank: int) -> None:
        self.min_rank = min_rank
        self._by_key: dict[str, list[_Entry]] = {}
        self._seen: set[str] = set()
        self._after = 0  # how many were left by the last prune

    def __len__(self) -> int:
        return len(self._seen)

    def add(self, x: m.Member) -> None:
        if x.id in self._seen:
            return
        self._seen.add(x.id)
        e = _Entry(x.id, x.ts, x.ctx.uid, x.severity_rank >= self.min_rank or x.source_kind == "change")
        for k in _keys(x):
            self._by_key.setdefault(k, []).append(e)

    def prune(self, before_ms: int, keep: Callable[[str], bool]) -> None:
        """Forget the events older than ``before_ms`` unless ``keep`` (held by an open correlation); only once the
        index has doubled since it was last pruned, so that the cost stays in proportion to what is added."""
        if len(self._seen) < max(PRUNE_AT, 2 * self._after):
            return
        for k in list(self._by_key):
            left = [e for e in self._by_key[k] if e.ts >= before_ms or keep(e.id)]
            if left:
                self._by_key[k] = left
            else:
                del self._by_key[k]
        self._seen = {e.id for es in self._by_key.values() for e in es}
        self._after = len(self._seen)

    def links(
        self, x: m.Member, placed: Callable[[str], bool], calls: CallGraph, *, window_ms: int, max_hops: int
    ) -> list[m.Link]:
        """``x``'s links to the placed events within ``window_ms`` of it (``related_links`` with ``placed``)."""
        lo, hi = x.ts - window_ms, x.ts + window_ms

        def others(keys: Iterable[str], skip_uid: str = "") -> tuple[list[str], list[int]]:
            ids: list[str] = []
            times: list[int] = []
            for k in keys:
                for e in self._by_key.get(k, ()):
                    if (
                        e.usable
                        and lo <= e.ts <= hi
                        and e.id != x.id
                        and not (skip_uid and e.uid == skip_uid)
                        and placed(e.id)
                    ):
                        ids.append(e.id)
                        times.append(e.ts)
            return ids, times

        rows = [(x.id, kind, d, hops, *others(keys, skip)) for kind, d, hops, keys, skip in _paths(x, calls)]
        return fold((r for r in rows if r[4]), {x.id: x.ts}, window_ms=window_ms, max_hops=max_hops).get(x.id, [])


class Linker:
    """The engine's answer to "what is this event linked to": the placed events (``LinkIndex``) and the call graph,
    read through ``read_calls`` at the first question and again every ``refresh_ms`` of the live clock (calls
    other workers recorded, declared ones); the calls each batch taken recorded are added meanwhile."""

    def __init__(
        self,
        read_calls: Callable[[], Iterable[tuple[str, str]]],
        *,
        min_rank: int,
        window_ms: int,
        max_hops: int,
        refresh_ms: int = CALLS_REFRESH_MS,
    ) -> None:
        self._read_calls = read_calls
        self._index = LinkIndex(min_rank)
        self._calls: CallGraph | None = None
        self._read_at = 0
        self.window_ms, self.max_hops, self.refresh_ms = window_ms, max_hops, refresh_ms

    def recorded(self, edges: Iterable[tuple[str, str]], now_ms: int = 0) -> None:
        """CALLS edges the events of a batch recorded (``StoredEvent.calls``); ``now_ms``: the live clock, if any."""
        self._graph(now_ms).add(edges)

    def refresh(self, now_ms: int) -> None:
        """Read the call graph again when ``refresh_ms`` of the live clock have passed since it was read."""
        self._graph(now_ms)

    def links(self, x: m.Member, placed: Callable[[str], bool]) -> list[m.Link]:
        return self._index.links(x, placed, self._graph(), window_ms=self.window_ms, max_hops=self.max_hops)

    def add(self, x: m.Member, now: int, keep: Callable[[str], bool]) -> None:
        """``x`` is placed; the events older than two windows that no open correlation holds (``keep``) may go."""
        self._index.add(x)
        self._index.prune(now - 2 * self.window_ms, keep)

    def _graph(self, now_ms: int = 0) -> CallGraph:
        if self._calls is None or (now_ms and now_ms - self._read_at >= self.refresh_ms):
            self._calls = CallGraph(self._read_calls())
            self._read_at = now_ms
        return self._calls


def _keys(x: m.Member) -> Iterator[str]:
    """The keys another event's link reaches ``x`` through (``_paths`` asks for them)."""
    c = x.ctx
    if x.trace_id:
        yield "trace:" + x.trace_id
    if not c.in_graph:
        return
    yield "res:" + c.uid
    for uid, hops in c.owners:
        yield "owned:" + uid
        if hops <= 2:
            yield "wl:" + uid
    if c.kind == "Pod" and c.node_uid:
        yield "on:" + c.node_uid
    for s in c.service_uids:
        yield "sel:" + s
    for uid, _kind in c.uses:
        yield "uses:" + uid


def _paths(x: m.Member, calls: CallGraph) -> Iterator[tuple[str, int, int, list[str], str]]:
    """``(link kind, dir, hops, keys, uid to skip)`` per path of ``related_events.cypher``, in its branch order."""
    c = x.ctx
    if c.in_graph:
        yield m.SAME_RESOURCE, 0, 0, ["res:" + c.uid], ""
        yield m.OWNER, 1, 1, ["res:" + uid for uid, _ in c.owners], ""
        yield m.OWNER, -1, 1, ["owned:" + c.uid], ""
        yield m.SAME_WORKLOAD, 0, 1, ["wl:" + uid for uid, hops in c.owners if hops <= 2], c.uid
        if c.kind == "Pod" and c.node_uid:
            yield m.SAME_NODE, 1, 1, ["res:" + c.node_uid], ""
        if c.kind == "Node":
            yield m.SAME_NODE, -1, 1, ["on:" + c.uid], ""
        if c.kind == "Pod":
            yield m.SELECTS, -1, 1, ["res:" + s for s in c.service_uids], ""
        if c.kind == "Service":
            yield m.SELECTS, 1, 1, ["sel:" + c.uid], ""
        start = [*c.service_uids, *([c.uid] if c.kind == "Service" else [])]
        for d in (1, -1):
            by_hops: dict[int, list[str]] = {}
            for s, hops in calls.near(start, d).items():
                by_hops.setdefault(hops, []).extend(("res:" + s, "sel:" + s))
            for hops in sorted(by_hops):
                yield m.CALLS, d, hops, by_hops[hops], ""
        if c.kind == "Pod":
            for kind in (m.SHARED_CONFIG, m.SHARED_VOLUME):
                yield kind, 1, 1, ["res:" + uid for uid, k in c.uses if k == kind], ""
        kind = m.SHARED_VOLUME if c.kind == "PersistentVolumeClaim" else m.SHARED_CONFIG
        yield kind, -1, 1, ["uses:" + c.uid], ""
    if x.trace_id:
        yield m.SAME_TRACE, 0, 0, ["trace:" + x.trace_id], ""
