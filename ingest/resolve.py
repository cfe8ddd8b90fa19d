"""Which resource an event is about, chosen among the candidates the writer's resolve statement found (pure).

Resolution order (DESIGN §4): uid; kind+namespace+name (``key``); a pod or service IP of a network event (the
source for egress, the destination otherwise). The graph keeps deleted objects with their ``deleted_at`` and pods
their ``ip_since``, so the choice is the resource that existed at the event's time. Kept apart from the writer's
statements so that it is tested without a graph.

What a failed call was calling is its destination IP, or, for a log or span with none, a Service of its namespace
that its message names (``carts.shop.svc.cluster.local``, "circuit breaker open for carts"): callers name their
callee by address as often as by IP.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from model.event import Category, NormalEvent
from model.resource import ResourceRef, resource_key

EGRESS = frozenset({"egress", "outbound", "client", "out"})
# The events whose message may name what a failed call was calling. A slow span names its own operation
# ("span image-provider/checkout took 2.2s"), a crash's log its own code.
CALLING = frozenset({Category.NETWORK, Category.APPLICATION_ERROR})
NAMED_MAX = 16  # names of a message asked as Services: the callee is named early ("failed to call x: ...")
# A host: a Service's name (a DNS label, a letter first), then the rest of its FQDN. Not a number, an id or a time.
_HOST = re.compile(r"(?<![a-z0-9_.-])([a-z][a-z0-9-]{0,61}[a-z0-9])((?:\.[a-z0-9-]+)*)(?![a-z0-9_-])")
_PORT = re.compile(r":\d")
_LOOKED_UP = re.compile(r"lookup ([a-z][a-z0-9-]*)")  # the name a resolver was asked for
# A bare word names a Service only in a message about a call: "payment: unhandled NullPointerException" on the
# orders pod is orders' own failure that happens to name a Service, "circuit breaker open for payment" a call.
CALL_WORDS = (
    *("call", "upstream", "connect", "request", "dial", "circuit", "retry", "backend", "from", " to "),
    *("timeout", "timed out", "deadline", "unavailable", "unreachable", "refused", "reset", "502", "503", "504"),
)


def _named(text: str, namespace: str) -> Iterator[tuple[str, str]]:
    """``(name, namespace)`` of each host ``text`` may have called, in order: a Service's FQDN
    (``carts.shop.svc.cluster.local``, in the namespace it gives), a URL's host and a ``host:port`` (in
    ``namespace``), and, when the message is about a call, its words (a file's ``payment.json`` is not). Not a
    path's segment (an endpoint: "POST /checkout"), nor a name a resolver was asked for ("lookup carts: i/o
    timeout", "dial tcp: lookup carts on 10.0.0.10:53: no such host": the DNS server failed, carts was never
    called)."""
    looked_up = set(_LOOKED_UP.findall(text))
    about_a_call = any(w in text for w in CALL_WORDS)
    for found in _HOST.finditer(text):
        at, name, rest = found.start(), found.group(1), found.group(2)
        if name in looked_up or (text.endswith("/", 0, at) and not text.endswith("//", 0, at)):
            continue
        labels = rest.split(".")[1:]
        addressed = text.endswith("//", 0, at) or _PORT.match(text, found.end()) is not None
        if labels[1:2] == ["svc"]:
            yield name, labels[0]
        elif addressed or about_a_call:
            yield name, namespace


def named_services(event: NormalEvent, cluster: str) -> tuple[str, ...]:
    """Keys of the Services that a failed call's warning may name (``_named``), up to ``NAMED_MAX``, save the
    event's own pod and workload; none for an event with a destination IP, which says what it called. Most are no
    Service: the writer asks, ``pick`` keeps one."""
    r = event.resource
    if (event.network is not None and event.network.dest_ip) or event.category not in CALLING or not r.namespace:
        return ()
    if not event.is_warning:
        return ()  # an info line is never correlated: what it called is not worth a question
    own = {r.name.lower(), event.workload_name.lower()}
    keys: list[str] = []
    for word, namespace in _named(event.message.lower(), r.namespace):
        key = resource_key(r.cluster or cluster, "Service", namespace, word)
        if word not in own and key not in keys:
            keys.append(key)
            if len(keys) == NAMED_MAX:
                break
    return tuple(keys)


@dataclass(frozen=True)
class Candidate:
    """A resource an event may be about, as the resolve query returns it."""

    role: str  # uid | key | src_pod | src_service | dst_pod | dst_service | named (a Service its message names)
    uid: str
    key: str = ""
    cluster: str = ""
    kind: str = ""
    namespace: str = ""
    name: str = ""
    created_at: int | None = None
    deleted_at: int | None = None
    ip_since: int | None = None
    top_owner: str = ""
    node: str = ""
    services: tuple[str, ...] = ()

    @classmethod
    def from_row(cls, row: Mapping[str, Any], role: str) -> Candidate:
        owners = [o for o in row.get("owners") or [] if isinstance(o, list) and len(o) == 2]
        top = max(owners, key=lambda o: o[0])[1] if owners else ""
        return cls(
            role=role,
            uid=row["uid"],
            key=row.get("key") or "",
            cluster=row.get("cluster") or "",
            kind=row.get("kind") or "",
            namespace=row.get("namespace") or "",
            name=row.get("name") or "",
            created_at=row.get("created_at"),
            deleted_at=row.get("deleted_at"),
            ip_since=row.get("ip_since"),
            top_owner=top or "",
            node=(row.get("nodes") or [""])[0] or "",
            services=tuple(s for s in row.get("services") or [] if s),
        )

    def alive_at(self, ts: int) -> bool:
        return (self.created_at is None or self.created_at <= ts) and (self.deleted_at is None or self.deleted_at >= ts)

    def ref(self, fallback_cluster: str) -> ResourceRef:
        return ResourceRef(self.cluster or fallback_cluster, self.kind, self.namespace, self.name, self.uid)


@dataclass(frozen=True)
class Resolution:
    """What one event resolved to, and the services of its traffic (for CALLS)."""

    about: Candidate | None = None
    resolved_by: str = ""
    callers: tuple[str, ...] = ()
    callees: tuple[str, ...] = ()
    target: str = ""  # uid of what a failed call was calling (its destination, or the Service its log names)


def _at(cands: Iterable[Candidate], ts: int, *, by_ip: bool) -> Candidate | None:
    """The candidate that existed at ``ts``: alive then, latest to start (ip_since for IPs); else the live one."""
    cands = list(cands)
    if not cands:
        return None

    def start(c: Candidate) -> int:
        return (c.ip_since if by_ip and c.ip_since is not None else c.created_at) or 0

    alive = [c for c in cands if c.alive_at(ts) and (not by_ip or c.ip_since is None or c.ip_since <= ts)]
    if alive:
        return max(alive, key=start)
    live = [c for c in cands if c.deleted_at is None]
    if by_ip:
        return None  # an IP seen when no pod/service held it says nothing about today's holder
    return max(live or cands, key=start)


def pick(event: NormalEvent, cands: Sequence[Candidate]) -> Resolution:
    """Choose the resource an event is about among the candidates, and what it was calling (pure)."""
    by_role: dict[str, list[Candidate]] = {}
    for c in cands:
        by_role.setdefault(c.role, []).append(c)
    ts = event.ts
    about: Candidate | None = None
    how = ""
    if by_role.get("uid"):
        about, how = by_role["uid"][0], "uid"
    elif (found := _at(by_role.get("key", ()), ts, by_ip=False)) is not None:
        about, how = found, "key"
    src = _at(by_role.get("src_pod", ()), ts, by_ip=True) or _at(by_role.get("src_service", ()), ts, by_ip=True)
    dst = _at(by_role.get("dst_service", ()), ts, by_ip=True) or _at(by_role.get("dst_pod", ()), ts, by_ip=True)
    if about is None and (src or dst):
        egress = event.network is not None and event.network.direction in EGRESS
        about = (src or dst) if egress else (dst or src)
        how = "ip"
    callers: tuple[str, ...] = ()
    callees: tuple[str, ...] = ()
    if src is not None and dst is not None:
        callers = src.services if src.kind == "Pod" else ()
        callees = (dst.uid,) if dst.kind == "Service" or dst.role == "dst_service" else dst.services
    if dst is None:  # the first Service its message names, other than its own
        own = {about.uid, *about.services} if about is not None else set()
        dst = next((c for c in by_role.get("named", ()) if c.alive_at(ts) and c.uid not in own), None)
    target = dst.uid if dst is not None and (about is None or dst.uid != about.uid) else ""
    return Resolution(about, how, callers, callees, target)
