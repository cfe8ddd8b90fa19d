"""Open correlations indexed by the keys of what they hold, for finding the ones that may explain a new event (pure).

An event can only be explained by a correlation whose root, a member or the root's event shares a resource with it:
its own resource, its node, its top-level owner, a Service selecting it, what it was calling (and, for a Service,
the nodes its pods run on). ``Index`` finds those candidates by key, so ``explain.explanation`` is asked of a few
correlations, not of every open one.
"""

from __future__ import annotations

from collections.abc import Iterable

from correlate import model as m
from correlate.explain import WORKLOAD_KINDS
from correlate.nodes import pointed_at


def resource_keys(c: m.Context | None, prefix: str = "") -> set[str]:
    """Index keys of a resource: its uid, its node, its top-level owner, the services selecting it."""
    if c is None:
        return set()
    keys = {f"{prefix}s:{s}" for s in c.services}
    for tag, value in (("u", c.uid), ("n", c.node), ("w", c.workload)):
        if value:
            keys.add(f"{prefix}{tag}:{value}")
    if c.kind == "Service" and c.name:
        keys.add(f"{prefix}s:{c.name}")
    return keys


def keys_of(x: m.Member) -> set[str]:
    """Keys under which a correlation that may explain ``x`` is indexed (its root's resource, a member's)."""
    keys = resource_keys(x.ctx) | resource_keys(x.target)
    if x.target is not None and x.target.kind == "Service":
        keys.add("ms:" + x.target.name)
        keys |= {"n:" + n for n in x.target.pod_nodes}  # a node cut off takes calls to its pod (``explain.behind``)
    return keys


def _level_keys(c: m.Context, prefix: str) -> set[str]:
    """Keys of a resource at its own level: its uid, and the Node, workload or Service it is."""
    keys = {f"{prefix}u:{c.uid}"} if c.uid else set()
    if c.kind == "Node":
        keys.add(f"{prefix}n:{c.name}")
    elif c.kind in WORKLOAD_KINDS and c.workload:
        keys.add(f"{prefix}w:{c.workload}")
    elif c.kind == "Service":
        keys.add(f"{prefix}s:{c.name}")
    return keys


def root_keys(r: m.Root) -> set[str]:
    """Keys a root resource is found under by the events it explains (``keys_of``)."""
    return _level_keys(r.resource, "")


def member_keys(x: m.Member) -> set[str]:
    """Keys a member is found under: its resource (what others call) and the node it signals trouble of."""
    keys = {f"u:{x.ctx.uid}"} if x.ctx.uid else set()
    keys |= {f"ms:{s}" for s in x.ctx.services}
    keys |= {f"ns:{n}" for n in pointed_at(x)}
    return keys


def keys_explained_by(r: m.Root) -> set[str]:
    """Keys of root events that ``r``'s resource may explain (``root_event_keys``): also a call to a Service of a
    root Pod."""
    c = r.resource
    keys = _level_keys(c, "r")
    if c.kind == "Pod":
        keys |= {f"rs:{s}" for s in c.services}
    return keys


def root_event_keys(x: m.Member) -> set[str]:
    """Keys a root event is found under by the roots that may explain it (``keys_explained_by``): a call to a
    Service also under the nodes its pods run on, as ``keys_of`` finds it (a node down took the call)."""
    keys = resource_keys(x.ctx, "r") | resource_keys(x.target, "r")
    if x.target is not None and x.target.kind == "Service":
        keys |= {"rn:" + n for n in x.target.pod_nodes}
    return keys


class Index:
    """Open correlations by the keys of their root, members and root event, for finding candidates fast."""

    def __init__(self) -> None:
        self._by_key: dict[str, set[str]] = {}
        self._keys: dict[str, set[str]] = {}

    def _add(self, cid: str, keys: Iterable[str]) -> None:
        mine = self._keys.setdefault(cid, set())
        for k in keys:
            self._by_key.setdefault(k, set()).add(cid)
            mine.add(k)

    def add_member(self, cid: str, x: m.Member) -> None:
        self._add(cid, member_keys(x))

    def set_root(self, cid: str, root: m.Root, event: m.Member) -> None:
        """Keys of an earlier root stay: they only make candidates that ``explanation`` then turns down."""
        self._add(cid, root_keys(root) | root_event_keys(event))

    def copy(self) -> Index:
        """An index of its own (a checkpoint of the engine keeps one)."""
        out = Index()
        out._by_key = {k: set(v) for k, v in self._by_key.items()}
        out._keys = {k: set(v) for k, v in self._keys.items()}
        return out

    def find(self, keys: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for k in keys:
            out |= self._by_key.get(k, set())
        return out

    def remove(self, cid: str) -> None:
        for k in self._keys.pop(cid, set()):
            ids = self._by_key.get(k)
            if ids is not None:
                ids.discard(cid)
                if not ids:
                    del self._by_key[k]
