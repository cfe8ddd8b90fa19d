"""What a call is, what it named and how it failed (pure): the words of the wire that placement (``explain``) and
ranking share.

A failed or slow call that names its callee (by address, Service or trace) is explained through that callee; one
that got no answer at all (timed out, unreachable) is what a network cut does, where a refused connection or an
HTTP status the callee sent means the peer's host answered.
"""

from __future__ import annotations

from collections.abc import Iterator

from correlate import model as m

# a call that got no answer (a TCP connect whose SYN was retransmitted, unanswered, is the network's own word for it)
WIRE_WORDS = ("timeout", "timed out", "deadline", "unreachable", "no answer", "retransmit")
NETWORK_WORDS = (
    *WIRE_WORDS,
    *("connect", "refused", "reset", "dns", "lookup", "network", "socket", "broken pipe", "eof", "upstream"),
    *("unavailable", "502", "503", "504"),
)
RESOLVER_WORDS = ("lookup", "dns", "no such host", "resolv")  # a name server's silence: it names no callee
WIRE_CATEGORIES = frozenset({"network", "application_error", "performance"})  # what a failed or slow call is
FAILED_CALL = WIRE_CATEGORIES - {"performance"}  # a slow call got through: no node's network cut it
CALL_SKEW_MS = 5_000  # a callee's failure may be stamped this much after the caller first felt it (clocks)
BESIDE_MS = 2 * 60_000  # a pod's calls that name no callee fail where its named ones do, this close in time


def is_call(x: m.Member) -> bool:
    """A failed or slow call that names its callee: what explains it is what explains the callee."""
    return x.target is not None and x.category in WIRE_CATEGORIES


def sides(x: m.Member, caller_too: bool = True) -> Iterator[tuple[bool, m.Context]]:
    """The resources ``x`` is about, each with whether it is what ``x`` called: its own (unless ``caller_too`` is
    off and ``x`` is a call: a call failure is then seen only through its callee), then its target."""
    if caller_too or not is_call(x):
        yield False, x.ctx
    if x.target is not None:
        yield True, x.target


def blamed_node(x: m.Member) -> str:
    """The node ``x`` is a symptom of ('' if none): for a failed call, the callee's (a pod's node, or the one node
    a Service's pods run on; the caller's node only carried the call), else its own resource's."""
    t = x.target
    if t is None or x.category not in WIRE_CATEGORIES:
        return x.ctx.node
    if t.kind == "Pod":
        return t.node
    return t.pod_nodes[0] if len(t.pod_nodes) == 1 else ""


def answered(x: m.Member) -> bool:
    """A call its callee answered with an HTTP status of its own (4xx, 500, 501): the network carried it both ways.
    A gateway's 502-504 may mean the callee was never reached."""
    status = x.detail.get("network.status_code")
    return isinstance(status, int) and 400 <= status <= 501


def code_failure(x: m.Member) -> bool:
    """An application error that names no callee and says nothing of the network (an unhandled exception, a
    failed assertion): the code's own failure."""
    if x.category != "application_error" or x.target is not None:
        return False
    said = f"{x.reason} {x.message}".lower()
    return not any(w in said for w in NETWORK_WORDS)


def failed_on_wire(x: m.Member) -> bool:
    """A call that failed on the wire (a network event, or an error whose words are the wire's: unavailable,
    deadline exceeded, a 503, a reset): not the caller's code failing, not a callee that answered with its own
    status (``answered``), nor a name server's silence (the name it was asked for is no callee)."""
    said = f"{x.reason} {x.message}".lower()
    return (
        x.category in FAILED_CALL
        and not code_failure(x)
        and not answered(x)
        and not any(w in said for w in RESOLVER_WORDS)
    )


def timed_out(x: m.Member) -> bool:
    """A call that got no answer at all (timed out, unreachable): what a network cut does, where a refused
    connection or an error status means the peer's host answered."""
    text = f"{x.reason} {x.message}".lower()
    return "refused" not in text and any(w in text for w in WIRE_WORDS)


def outbound(x: m.Member, node: str) -> bool:
    """``x`` is a failed call, unanswered, out of a pod on ``node``."""
    return x.category in FAILED_CALL and not answered(x) and x.ctx.kind == "Pod" and x.ctx.node == node


def behind(x: m.Member, node: str) -> bool:
    """``x`` is a failed call, unanswered, to a Service that has pods on ``node`` (among others: ``blamed_node``
    names none)."""
    t = x.target
    return (
        t is not None and t.kind == "Service" and node in t.pod_nodes and x.category in FAILED_CALL and not answered(x)
    )


SUBJECT_LINKS = frozenset({m.SAME_RESOURCE, m.OWNER, m.SAME_WORKLOAD, m.SAME_NODE})


def beside_a_call(x: m.Member, y: m.Member, link: m.Link) -> bool:
    """``y`` is a failed call, in its correlation for what it called; ``x`` only shares ``y``'s caller (its pod,
    owner or node): that explains nothing of ``x``, unless ``x`` is the same call failing again (naming the same
    callee, or naming none and told twice or beside it: ``told_twice``, ``told_beside``), or the pod's own probe
    failing after its calls failed (what it depends on is gone: it cannot serve), unless the probe got no answer at
    all: a handler that checks what it depends on answers that it is unready, a probe that times out tells of its
    pod's own node."""
    if not is_call(y) or link.kind not in SUBJECT_LINKS:
        return False
    if x.category == "probe" and y.category in FAILED_CALL and x.ctx.uid and y.ctx.uid == x.ctx.uid and y.ts <= x.ts:
        return timed_out(x)
    if told_twice(x, y) or told_beside(x, y):
        return False
    return not (x.target is not None and y.target is not None and x.target.uid == y.target.uid)


def told_twice(x: m.Member, y: m.Member) -> bool:
    """``x``, a call that timed out naming no callee (an RPC layer's deadline), and ``y``, one that timed out
    naming its callee (the dialer's address), from one pod within the clocks' skew: one call, told by two layers."""
    return unnamed_beside(x, y, CALL_SKEW_MS) and timed_out(x) and timed_out(y)


def told_beside(x: m.Member, y: m.Member) -> bool:
    """``x``, a call that failed on the wire naming no callee (an RPC layer's 'Unavailable', a 503 logged by the
    caller's code), and ``y``, a failed call naming its callee, from one pod within ``BESIDE_MS``: the pod's calls
    fail where its named ones do. A caller's code rarely says which of its callees failed; its dialer, its proxy or
    its trace does, on another line."""
    return unnamed_beside(x, y, BESIDE_MS) and y.category in FAILED_CALL


def unnamed_beside(x: m.Member, y: m.Member, within_ms: int) -> bool:
    """``x``, a call that failed on the wire naming no callee, and ``y``, one naming its callee, from one pod within
    ``within_ms`` of each other."""
    return (
        x.target is None
        and y.target is not None
        and bool(x.ctx.uid)
        and x.ctx.uid == y.ctx.uid
        and abs(x.ts - y.ts) <= within_ms
        and failed_on_wire(x)
    )
